"""Process models as their owners manage them: validation, versions, deployment, diagrams, migration."""
