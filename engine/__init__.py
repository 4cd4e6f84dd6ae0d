"""The pure process engine: safe BPMN loading, restricted expressions, running and storing state."""
