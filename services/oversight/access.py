"""Who may use the oversight pages and the administrators' actions."""
from __future__ import annotations

from services.errors import PermissionDenied
from services.users import Actor

DASHBOARD_ROLES = frozenset({"supervisor", "admin", "hrss", "hrss_head", "bdc"})
AUDIT_ROLES = frozenset({"supervisor", "admin"})
# Only administrators act on instances: the bureau head signs off plans inside the process, and
# letting a participant suspend, end or reassign steps of it would undo the separation of duties.
ACTION_ROLES = frozenset({"admin"})
TASK_ROLES = frozenset({"department", "bdc", "hrss", "hrss_head", "bank"})


def may_see_dashboard(actor: Actor) -> bool:
    """Return True if *actor* may open the dashboard over all projects."""
    return bool(actor.roles & DASHBOARD_ROLES) and actor.sees_all


def may_see_audit(actor: Actor) -> bool:
    """Return True if *actor* may read the audit log."""
    return bool(actor.roles & AUDIT_ROLES)


def may_act(actor: Actor) -> bool:
    """Return True if *actor* may suspend, resume, terminate instances and reassign tasks."""
    return bool(actor.roles & ACTION_ROLES)


def home_is_dashboard(actor: Actor) -> bool:
    """Return True if *actor* has no task list of their own, so the dashboard is their home page."""
    return may_see_dashboard(actor) and not actor.roles & TASK_ROLES


def require_dashboard(actor: Actor) -> None:
    """Refuse anyone who may not see the dashboard."""
    if not may_see_dashboard(actor):
        raise PermissionDenied("only the bureau, the Big Data Center, supervisors and administrators "
                               "may see the dashboard")


def require_audit(actor: Actor) -> None:
    """Refuse anyone who may not read the audit log."""
    if not may_see_audit(actor):
        raise PermissionDenied("only supervisors and administrators may read the audit log")


def require_action(actor: Actor) -> None:
    """Refuse anyone who may not act on instances."""
    if not may_act(actor):
        raise PermissionDenied("only an administrator may suspend, resume or terminate a project "
                               "or reassign a task")
