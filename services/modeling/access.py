"""Who may read and who may change process models, and which roles a lane may stand for."""
from __future__ import annotations

from services.errors import PermissionDenied
from services.users import Actor

MODEL_READERS = frozenset({"process_owner", "supervisor", "admin"})
MODEL_OWNERS = frozenset({"process_owner"})
LANE_ROLES = ("department", "bdc", "hrss", "hrss_head", "bank")


def may_read_models(actor: Actor) -> bool:
    """Return True if *actor* may see process models, their versions and diagrams."""
    return bool(actor.roles & MODEL_READERS)


def may_manage_models(actor: Actor) -> bool:
    """Return True if *actor* may deploy diagrams and migrate running projects."""
    return bool(actor.roles & MODEL_OWNERS)


def require_reader(actor: Actor) -> None:
    """Refuse anyone who may not see process models."""
    if not may_read_models(actor):
        raise PermissionDenied("only process owners, supervisors and administrators may see process models")


def require_owner(actor: Actor) -> None:
    """Refuse anyone who is not a process owner."""
    if not may_manage_models(actor):
        raise PermissionDenied("only a process owner may deploy diagrams or migrate projects")
