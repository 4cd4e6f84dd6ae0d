"""What the host fills into forms: choices (`x-options`) and values it decides (`x-supplied`).

Option sources are looked up only for the forms that use them, all of a form's in one statement;
a resolved form is cached by its content, so a form whose choices did not change costs no more
than a cache hit.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, Select, String, cast, literal, null, select, union_all

from services.declaration.functions import function_choices
from services.declaration.rounds import RoundDecision, round_for_instance
from services.users import bank_choices


@dataclass(frozen=True)
class FormHost:
    """What a supplied value may depend on: the transaction, China's date and the instance."""

    conn: Connection
    today: date
    instance_id: int | None


OptionSource = Callable[[], Select[Any]]  # the query of (code, name[, English name], position), in list order
OPTION_SOURCES: dict[str, OptionSource] = {"banks": bank_choices, "card_functions": function_choices}
DISPLAY_SOURCES: dict[str, OptionSource] = {**OPTION_SOURCES,
                                            "card_functions": lambda: function_choices(active_only=False)}


def _as_part(name: str, query: Select[Any]) -> Select[Any]:
    """Return *query* as one part of a union of sources: (source, position, code, name, English name or NULL)."""
    rows = query.order_by(None).subquery()
    english = rows.c.name_en if "name_en" in rows.c else cast(null(), String)
    return select(literal(name).label("source"), rows.c.position, rows.c.code, rows.c.name, english.label("name_en"))


def _read_sources(conn: Connection, queries: dict[str, Select[Any]]) -> dict[str, list[tuple[str, ...]]]:
    """Return each source's choices, all read in one statement."""
    if len(queries) == 1:
        ((name, query),) = queries.items()
        return {name: [tuple(r)[:-1] for r in conn.execute(query)]}
    widths = {name: len(query.selected_columns) - 1 for name, query in queries.items()}
    found: dict[str, list[tuple[str, ...]]] = {name: [] for name in queries}
    union = union_all(*[_as_part(name, query) for name, query in queries.items()]).order_by("source", "position")
    for row in conn.execute(union):
        found[row.source].append(tuple(row)[2:2 + widths[row.source]])
    return found


def _round_text(decided: RoundDecision) -> tuple[str, str]:
    """Return the round's description in Chinese and in English (a round the bureau named keeps its name)."""
    name, opens, closes = decided.name, decided.opens_on, decided.closes_on
    name_en = name if decided.round_id is not None else (
        f"{decided.year} annual round" if decided.kind == "annual" else f"{decided.year} supplementary declaration")
    if opens is None or closes is None:
        return (f"{name}（不在已开放的申报批次内，须说明追加申报理由）",
                f"{name_en} (outside any open round: give the urgency reason)")
    reason = ("，须说明追加申报理由", "; give the urgency reason") if decided.kind == "supplementary" else ("", "")
    return (f"{name}（{opens.isoformat()} 至 {closes.isoformat()}{reason[0]}）",
            f"{name_en} ({opens.isoformat()} to {closes.isoformat()}{reason[1]})")


ROUND_KINDS = {"annual": ("年度集中申报", "Annual round"), "supplementary": ("年中追加申报", "Supplementary declaration")}


def _declaration(host: FormHost) -> dict[str, tuple[Any, str, str]]:
    decided = round_for_instance(host.conn, host.today, host.instance_id)
    text, text_en = _round_text(decided)
    kind, kind_en = ROUND_KINDS[decided.kind]
    return {"declaration.year": (decided.year, str(decided.year), str(decided.year)),
            "declaration.round": (decided.kind, kind, kind_en),
            "declaration.round_id": (decided.round_id, text, text_en)}


SUPPLIED_SOURCES: dict[str, Callable[[FormHost], Mapping[str, tuple[Any, str, str]]]] = {"declaration": _declaration}


def known_option(name: str) -> bool:
    """Return True if the host can fill `x-options: name`."""
    return name in OPTION_SOURCES


def known_supplied(name: str) -> bool:
    """Return True if the host can supply `x-supplied: name` (names read `source.key`)."""
    return name.partition(".")[0] in SUPPLIED_SOURCES


def options_for(conn: Connection, names: frozenset[str], *, display: bool = False
                ) -> tuple[tuple[str, tuple[tuple[str, str], ...]], ...]:
    """Return the choices of the named option sources, as a hashable key for the form cache."""
    sources = DISPLAY_SOURCES if display else OPTION_SOURCES
    wanted = {name: sources[name]() for name in sorted(names) if name in sources}
    found = _read_sources(conn, wanted) if wanted else {}
    return tuple((name, tuple(found[name])) for name in wanted)


def supplied_for(host: FormHost, names: frozenset[str]) -> tuple[tuple[str, Any, str, str], ...]:
    """Return (name, value, title, English title) of the named supplied values, as a hashable cache key."""
    values: dict[str, tuple[Any, str, str]] = {}
    for source in sorted({name.partition(".")[0] for name in names}):
        if source in SUPPLIED_SOURCES:
            values.update(SUPPLIED_SOURCES[source](host))
    return tuple((name, *values[name]) for name in sorted(names) if name in values)
