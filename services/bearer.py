"""Bearer tokens verified inside the action's own transaction, for the API's hottest request.

Every API request normally looks its token up before the view runs: one more read, which on
PostgreSQL is one more round trip. A task completion instead may carry a `Bearer`: the token's
digest, to be verified by the use case in the transaction that completes the task (on PostgreSQL
in the same round trip as the task's lock). Nothing is trusted from an earlier request: the
token, its user and the user's roles are read afresh in that transaction, so a token revoked or
a role withdrawn a moment ago already counts.

Only digests this process found valid within `REMEMBERED` may take this path; any other token
is looked up first as usual, so that a stranger's request never reaches a write transaction.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from sqlalchemy import Connection

from models import fastpath
from models.fastpath import LockedTask
from services.auth import TOKEN_ACTOR
from services.clock import to_db
from services.context import Services
from services.errors import ServiceError
from services.users import Actor, to_actor

REMEMBERED = 300.0  # seconds a digest found valid may take the in-transaction path
MAX_REMEMBERED = 10_000
_seen: dict[str, float] = {}
_seen_lock = threading.Lock()


class TokenRefused(ServiceError):
    """The bearer token is unknown, revoked or expired, or its user is no longer active."""


@dataclass
class Bearer:
    """A caller known by a token digest; `actor` is filled in once the transaction has verified it."""

    digest: str
    actor: Actor | None = field(default=None)

    @property
    def id(self) -> int | None:
        """Return the verified user's id (None before verification)."""
        return self.actor.id if self.actor else None


def remember(digest: str) -> None:
    """Note that *digest* was just found valid by this process."""
    with _seen_lock:
        if len(_seen) >= MAX_REMEMBERED:
            _seen.clear()
        _seen[digest] = time.monotonic()


def recently_valid(digest: str) -> bool:
    """Return True if this process found *digest* valid within the last REMEMBERED seconds."""
    seen = _seen.get(digest)
    return seen is not None and time.monotonic() - seen < REMEMBERED


def forget(digest: str) -> None:
    """Drop *digest* from what this process remembers (its token was refused)."""
    with _seen_lock:
        _seen.pop(digest, None)


def lock_task_as(ctx: Services, conn: Connection, caller: Actor | Bearer,
                 task_id: str) -> tuple[Actor, LockedTask | None]:
    """Lock task *task_id* and return it with the verified caller; raise TokenRefused first if the token fails."""
    if not isinstance(caller, Bearer):
        return caller, fastpath.lock_task(conn, task_id)
    params = {"digest": caller.digest, "now": to_db(ctx.clock.now())}
    rows, row = fastpath.lock_task_and_read(conn, task_id, TOKEN_ACTOR, params)
    actor = to_actor(rows)
    if actor is None:
        forget(caller.digest)
        raise TokenRefused("The token is invalid or has expired.")  # the API answers 401
    caller.actor = actor
    return actor, row
