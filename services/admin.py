"""Administration of organisations, users and roles (the `admin` role only)."""
from __future__ import annotations

import re
from typing import Any

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import Connection, delete, insert, select, update

from models.tables import app_user, organization, user_role
from services import audit
from services.context import Services
from services.errors import ConflictError, FieldError, NotFound, PermissionDenied, ValidationError
from services.users import ORG_KINDS, ROLES, Actor, create_user, ensure_organization, hash_password

USERNAME_RE = re.compile(r"^[a-z][a-z0-9_.-]{2,63}$")
EMAIL_MESSAGE = "Enter an e-mail address such as wang@example.cn."


def _require_admin(actor: Actor | None) -> None:
    if actor is not None and "admin" not in actor.roles:
        raise PermissionDenied("only an administrator may manage users and organisations")


def _org_id(conn: Connection, code: str) -> int:
    found = conn.execute(select(organization.c.id).where(organization.c.code == code)).scalar()
    if found is None:
        raise ValidationError(f"unknown organisation {code!r}")
    return found


def clean_email(text: str | None) -> str | None:
    """Return an e-mail address checked and normalised (None when empty); refuse one that is not an address."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        return validate_email(text, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise ValidationError(EMAIL_MESSAGE, [FieldError("email", "format", EMAIL_MESSAGE)]) from exc


def list_organizations(ctx: Services) -> list[dict[str, Any]]:
    """Return every organisation."""
    with ctx.db.read() as conn:
        rows = conn.execute(select(organization).order_by(organization.c.kind, organization.c.code))
        return [dict(r._mapping) for r in rows]


def create_organization(ctx: Services, actor: Actor | None, code: str, name: str, kind: str,
                        name_en: str = "") -> dict[str, Any]:
    """Create an organisation (code: lower-case letters, digits and dashes)."""
    _require_admin(actor)
    if not re.match(r"^[a-z][a-z0-9-]{1,63}$", code or "") or not (name or "").strip():
        raise ValidationError("An organisation needs a code (a-z, 0-9, -) and a name.")
    if kind not in ORG_KINDS:
        raise ValidationError(f"kind must be one of {', '.join(ORG_KINDS)}")
    with ctx.db.write() as conn:
        if conn.execute(select(organization.c.id).where(organization.c.code == code)).first():
            raise ConflictError(f"organisation {code!r} already exists")
        org_id = ensure_organization(conn, code, name.strip(), kind, name_en.strip())
    return {"id": org_id, "code": code, "name": name.strip(), "kind": kind}


def list_users(ctx: Services) -> list[dict[str, Any]]:
    """Return every user with its organisation and roles."""
    with ctx.db.read() as conn:
        rows = conn.execute(select(app_user.c.id, app_user.c.username, app_user.c.display_name, app_user.c.email,
                                   app_user.c.is_active, organization.c.code.label("organization"))
                            .join(organization, organization.c.id == app_user.c.organization_id)
                            .order_by(app_user.c.username)).all()
        roles: dict[int, list[str]] = {}
        for user_id, role in conn.execute(select(user_role.c.user_id, user_role.c.role).order_by(user_role.c.role)):
            roles.setdefault(user_id, []).append(role)
    return [{**dict(r._mapping), "roles": roles.get(r.id, [])} for r in rows]


def _check_user_fields(username: str, roles: list[str]) -> None:
    if not USERNAME_RE.match(username or ""):
        raise ValidationError("A user name has 3–64 characters: a-z first, then a-z, 0-9, _ . -")
    unknown = sorted(set(roles) - set(ROLES))
    if unknown or not roles:
        raise ValidationError(f"roles must be chosen from {', '.join(ROLES)}")


def add_user(ctx: Services, actor: Actor | None, username: str, password: str, display_name: str,
             org_code: str, roles: list[str], email: str | None = None) -> dict[str, Any]:
    """Create a user in an organisation with roles (and an e-mail address for notifications)."""
    _require_admin(actor)
    _check_user_fields(username, roles)
    address = clean_email(email)
    with ctx.db.write() as conn:
        if conn.execute(select(app_user.c.id).where(app_user.c.username == username)).first():
            raise ConflictError(f"user {username!r} already exists")
        user_id = create_user(ctx, conn, username, password, (display_name or username).strip(),
                              _org_id(conn, org_code), roles)
        if address:
            conn.execute(update(app_user).where(app_user.c.id == user_id).values(email=address))
        audit.record(conn, "user_created", ctx.clock.now(), actor_id=actor.id if actor else None,
                     data={"username": username, "roles": sorted(roles), "organization": org_code})
    return {"id": user_id, "username": username, "roles": sorted(roles), "organization": org_code, "email": address}


def update_user(ctx: Services, actor: Actor | None, username: str, *, roles: list[str] | None = None,
                org_code: str | None = None, active: bool | None = None, display_name: str | None = None,
                password: str | None = None, email: str | None = None) -> dict[str, Any]:
    """Change a user's roles, organisation, name, password, e-mail or whether it may sign in."""
    _require_admin(actor)
    with ctx.db.write() as conn:
        user_id = conn.execute(select(app_user.c.id).where(app_user.c.username == username)).scalar()
        if user_id is None:
            raise NotFound(f"unknown user {username!r}")
        values: dict[str, Any] = {}
        if org_code is not None:
            values["organization_id"] = _org_id(conn, org_code)
        if active is not None:
            values["is_active"] = active
        if display_name:
            values["display_name"] = display_name.strip()
        if email is not None:
            values["email"] = clean_email(email)
        if password is not None:
            if len(password) < 8:
                raise ValidationError("a password needs at least 8 characters")
            values["password_hash"] = hash_password(password)
        if values:
            conn.execute(update(app_user).where(app_user.c.id == user_id).values(**values))
        if roles is not None:
            _check_user_fields(username, roles)
            conn.execute(delete(user_role).where(user_role.c.user_id == user_id))
            conn.execute(insert(user_role), [{"user_id": user_id, "role": r} for r in sorted(set(roles))])
        changed = sorted(values) + (["roles"] if roles is not None else [])
        audit.record(conn, "user_updated", ctx.clock.now(), actor_id=actor.id if actor else None,
                     data={"username": username, "changed": [c.replace("password_hash", "password") for c in changed]})
    return next(u for u in list_users(ctx) if u["username"] == username)


def admin_overview(ctx: Services, actor: Actor | None) -> dict[str, Any]:
    """Return every user and organisation with the roles and kinds to choose from (admin only)."""
    _require_admin(actor)
    return {"users": list_users(ctx), "organizations": list_organizations(ctx),
            "roles": list(ROLES), "kinds": list(ORG_KINDS)}


def user_for_edit(ctx: Services, actor: Actor | None, username: str) -> dict[str, Any]:
    """Return one user with the organisations and roles an administrator may assign."""
    overview = admin_overview(ctx, actor)
    user = next((u for u in overview["users"] if u["username"] == username), None)
    if user is None:
        raise NotFound(f"unknown user {username!r}")
    return {**overview, "user": user}
