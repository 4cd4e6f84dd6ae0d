"""Errors the engine raises, each naming what was wrong and where."""
from __future__ import annotations


class EngineError(Exception):
    """Base class of every engine error."""


class ModelError(EngineError):
    """A diagram (or one of its forms) was refused; *element* names where."""

    def __init__(self, reason: str, element: str | None = None, line: int | None = None,
                 rule: str = "not-bpmn") -> None:
        self.reason = reason
        self.element = element
        self.line = line
        self.rule = rule
        where = []
        if element:
            where.append(f"element {element}")
        if line:
            where.append(f"line {line}")
        prefix = f"{', '.join(where)}: " if where else ""
        super().__init__(f"{prefix}{reason}")


class ExpressionError(EngineError):
    """An expression or script was refused or failed to evaluate."""


class TaskStateError(EngineError):
    """The task is unknown to the workflow or not ready to be completed."""
