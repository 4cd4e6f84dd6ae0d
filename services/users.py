"""Organisations, users and roles; who is acting, and what they may see."""
from __future__ import annotations

from dataclasses import dataclass, replace

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Select, bindparam, func, insert, select

from models.tables import app_user, organization, user_role
from services.clock import to_db
from services.context import Services
from services.errors import NotFound, PermissionDenied, ValidationError

ROLES = ("department", "bdc", "hrss", "hrss_head", "bank", "supervisor", "admin", "process_owner")
ORG_KINDS = ("bureau", "bdc", "department", "bank")
SEE_ALL_ROLES = frozenset({"hrss", "hrss_head", "bdc", "supervisor", "admin"})
READ_ONLY_ROLES = frozenset({"supervisor"})
READ_ONLY = "Your roles only allow you to read: supervisors change nothing."
_HASHER = PasswordHasher()


@dataclass(frozen=True)
class Actor:
    """A signed-in user: who, with which roles, in which organisation."""

    id: int
    username: str
    display_name: str
    roles: frozenset[str]
    org_id: int
    org_code: str
    org_kind: str
    org_name: str
    org_name_en: str = ""

    @property
    def sees_all(self) -> bool:
        """Return True if the actor may see every project."""
        return bool(self.roles & SEE_ALL_ROLES)


def as_writer(actor: Actor) -> Actor:
    """Return *actor* with only the roles that may change something (supervisor rights are read-only)."""
    return replace(actor, roles=actor.roles - READ_ONLY_ROLES)


def require_writer(actor: Actor | None) -> Actor | None:
    """Return *actor* with its writing roles; raise PermissionDenied if it has none (a supervisor only reads).

    None stands for the system itself (command-line administration), which may write.
    """
    if actor is None:
        return None
    writer = as_writer(actor)
    if not writer.roles:
        raise PermissionDenied(READ_ONLY)
    return writer


def hash_password(password: str) -> str:
    """Return an Argon2id hash of *password*."""
    return _HASHER.hash(password)


def password_matches(stored_hash: str, password: str) -> bool:
    """Return True if *password* matches *stored_hash*."""
    try:
        return _HASHER.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def actor_query() -> Select[Any]:
    """Return the SELECT of an active user with its organisation, one row per role (add a WHERE)."""
    return select(
        app_user.c.id, app_user.c.username, app_user.c.display_name,
        organization.c.id.label("org_id"), organization.c.code.label("org_code"),
        organization.c.kind.label("org_kind"), organization.c.name.label("org_name"),
        organization.c.name_en.label("org_name_en"), user_role.c.role,
    ).join(organization, organization.c.id == app_user.c.organization_id).outerjoin(
        user_role, user_role.c.user_id == app_user.c.id).where(app_user.c.is_active.is_(True))


def to_actor(rows: Sequence[Any]) -> Actor | None:
    """Return the Actor of the rows of actor_query() for one user, or None if there are none."""
    if not rows:
        return None
    first = rows[0]
    roles = frozenset(r.role for r in rows if r.role)
    return Actor(first.id, first.username, first.display_name, roles, first.org_id,
                 first.org_code, first.org_kind, first.org_name, first.org_name_en)


_BY_USERNAME = actor_query().where(app_user.c.username == bindparam("username"))
_BY_ID = actor_query().where(app_user.c.id == bindparam("user_id"))


def actor_by_username(conn: Connection, username: str) -> Actor:
    """Return the active user *username*; raise NotFound otherwise."""
    actor = to_actor(conn.execute(_BY_USERNAME, {"username": username}).all())
    if actor is None:
        raise NotFound(f"unknown user {username!r}")
    return actor


def actor_by_id(conn: Connection, user_id: int) -> Actor:
    """Return the active user with id *user_id*; raise NotFound otherwise."""
    actor = to_actor(conn.execute(_BY_ID, {"user_id": user_id}).all())
    if actor is None:
        raise NotFound(f"unknown user {user_id}")
    return actor


def load_actor(ctx: Services, username: str) -> Actor:
    """Return the active user *username* in its own short transaction."""
    with ctx.db.read() as conn:
        return actor_by_username(conn, username)


def ensure_organization(conn: Connection, code: str, name: str, kind: str, name_en: str = "") -> int:
    """Return the id of organisation *code*, creating it if it does not exist."""
    if kind not in ORG_KINDS:
        raise ValidationError(f"organisation kind must be one of {', '.join(ORG_KINDS)}")
    found = conn.execute(select(organization.c.id).where(organization.c.code == code)).scalar()
    if found is not None:
        return found
    return conn.execute(
        insert(organization).values(code=code, name=name, kind=kind, name_en=name_en)
    ).inserted_primary_key[0]


def create_user(ctx: Services, conn: Connection, username: str, password: str, display_name: str,
                org_id: int, roles: list[str]) -> int:
    """Create a user with a hashed password and its roles; return its id."""
    unknown = sorted(set(roles) - set(ROLES))
    if unknown:
        raise ValidationError(f"unknown roles: {', '.join(unknown)}")
    if len(password) < 8:
        raise ValidationError("a password needs at least 8 characters")
    user_id = conn.execute(insert(app_user).values(
        username=username, display_name=display_name, password_hash=hash_password(password),
        organization_id=org_id, is_active=True, created_at=to_db(ctx.clock.now()),
    )).inserted_primary_key[0]
    if roles:
        conn.execute(insert(user_role), [{"user_id": user_id, "role": r} for r in sorted(set(roles))])
    return user_id


def bank_choices() -> Select[Any]:
    """Return the query of (code, name, English name, position) of every cooperating bank, in list order."""
    return (select(organization.c.code, organization.c.name, organization.c.name_en,
                   func.row_number().over(order_by=organization.c.code).label("position"))
            .where(organization.c.kind == "bank").order_by(organization.c.code))


def bank_options(conn: Connection) -> list[tuple[str, str, str]]:
    """Return (code, name, English name) of every cooperating bank."""
    return [(r.code, r.name, r.name_en) for r in conn.execute(bank_choices())]


def org_id_by_code(conn: Connection, code: str) -> int:
    """Return the id of organisation *code*."""
    found = conn.execute(select(organization.c.id).where(organization.c.code == code)).scalar()
    if found is None:
        raise NotFound(f"unknown organisation {code!r}")
    return found
