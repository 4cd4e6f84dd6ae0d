"""A user's notifications: the list, written in the reader's language, and marking them read."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from services.notifications.core import list_for, mark_read
from web.app import services as ctx
from web.pages.auth import actor
from web.pages.formatting import date_text

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


def _subject(kind: str, p: Mapping[str, Any]) -> str:
    if kind == "payment_reminder":
        return _("[Payment reminder] %(title)s: instalment %(num)d is due on %(day)s",
                 title=p["title"], num=p["instalment"], day=date_text(p["due_date"]))
    if kind == "payment_overdue":
        return _("[Overdue] %(title)s: instalment %(num)d is overdue", title=p["title"], num=p["instalment"])
    return _("[Overdue] %(title)s: instalment %(num)d is %(days)d working days overdue",
             title=p["title"], num=p["instalment"], days=p["days_late"])


def _late_lines(kind: str, p: Mapping[str, Any]) -> list[str]:
    if not p.get("late_from"):
        return []
    lines = [_("This notice was due on %(day)s and goes out late because the timer worker was stopped.",
               day=date_text(p["late_from"]))]
    if kind != "payment_reminder":
        lines.append(_("The follow-ups missed meanwhile are combined into this notice; "
                       "the next one goes out 5 working days from today."))
    return lines


def _payment_lines(kind: str, p: Mapping[str, Any]) -> list[str]:
    due = date_text(p["due_date"])
    if p.get("provisional"):
        due = _("%(day)s (provisional)", day=due)
    lines = [_("Project: %(title)s", title=p["title"]), _("Instalment: %(num)d", num=p["instalment"]),
             _("Payment notice and invoice received on: %(day)s", day=date_text(p["received_on"])),
             _("Payment due by: %(day)s", day=due)]
    if kind == "payment_reminder":
        lines += [_("Working days left: %(num)d", num=p["days_left"]),
                  _("Under §9 of the Measures the bank pays within 30 working days after receiving "
                    "the payment notice and the invoice.")]
    else:
        lines += [_("Working days overdue: %(num)d", num=p["days_late"]),
                  _("The bureau follows the bank up until it pays; a reminder goes out every 5 working days "
                    "until the payment is made.")]
    return lines + _late_lines(kind, p)


def written(item: Mapping[str, Any]) -> dict[str, Any]:
    """Return a notification with its subject and lines written in the reader's language."""
    kind, params = item["kind"], item["params"] or {}
    if kind not in ("payment_reminder", "payment_overdue", "payment_escalation"):
        return {**item, "subject": kind, "lines": []}
    return {**item, "subject": _subject(kind, params), "lines": _payment_lines(kind, params)}


@bp.get("/")
def index() -> str:
    """List the signed-in user's notifications, unread first."""
    found = list_for(ctx(), actor())
    return render_template("notifications/list.html", unread=found["unread"],
                           items=[written(i) for i in found["items"]])


@bp.post("/read")
def read() -> Response:
    """Mark one notification (field `id`) or all of them read."""
    text = request.form.get("id", "").strip()
    mark_read(ctx(), actor(), int(text) if text.isdigit() and len(text) <= 18 else None)
    return redirect(url_for("notifications.index"))
