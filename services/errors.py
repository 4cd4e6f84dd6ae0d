"""The errors every entrypoint maps to a status (HTTP) or an exit code (CLI)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from models.db import DatabaseUnavailable

__all__ = ["ConflictError", "DatabaseUnavailable", "FieldError", "Hidden", "NotFound", "PermissionDenied",
           "ProcessFailed", "ServiceError", "ValidationError"]


class ServiceError(Exception):
    """Base class of the errors a use case raises on purpose."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class FieldError:
    """One problem with one field; `template` is an English message with {placeholders}."""

    path: str
    code: str
    template: str
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def message(self) -> str:
        return self.template.format(**self.params)


class ValidationError(ServiceError):
    """Input was malformed or broke a rule; nothing was changed."""

    def __init__(self, message: str, fields: list[FieldError] | None = None) -> None:
        super().__init__(message)
        self.fields = fields or []

    def field_messages(self) -> dict[str, str]:
        """Return one message per field path."""
        messages: dict[str, str] = {}
        for error in self.fields:
            messages.setdefault(error.path, error.message)
        return messages

    def __str__(self) -> str:
        if not self.fields:
            return self.message
        details = "; ".join(f"{path or '(form)'}: {msg}" for path, msg in self.field_messages().items())
        return f"{self.message}: {details}"


class ProcessFailed(ValidationError):
    """The process could not go on with this data (an expression of its diagram failed); nothing changed."""


class PermissionDenied(ServiceError):
    """The actor may see the object but not do this to it."""


class NotFound(ServiceError):
    """No such object, or one the actor may not see."""


class ConflictError(ServiceError):
    """Someone else changed the object first (the task is no longer ready, say)."""


class Hidden(NotFound):
    """The object exists but belongs to an organisation the actor may not see (answered as 404)."""

    def __init__(self, kind: str, ident: object, instance_id: int | None = None) -> None:
        super().__init__(f"{kind} {ident} does not exist")
        self.kind = kind
        self.ident = ident
        self.instance_id = instance_id
