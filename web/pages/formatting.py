"""Money, dates and waiting times written for Chinese readers (and English ones)."""
from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation

from babel.dates import format_skeleton
from flask_babel import format_date, get_locale, gettext as _, lazy_gettext as _l, ngettext

from services.clock import CHINA, parse_date
from services.money.text import amount_text, money_text
from services.reconciliation.periods import MONTH_RE, QUARTER_RE, PeriodError, parse_period

DASH = "—"


def amount(value: object) -> str:
    """Return an amount with thousands separators and two decimals, without the currency sign."""
    return amount_text(value)


def money(value: object) -> str:
    """Return an amount in yuan as ¥1,150,000.00; a negative one has its sign first: -¥300,000.00."""
    return DASH if value is None or value == "" else money_text(value)


def total(values: Iterable[object]) -> str:
    """Return the sum of the amounts among *values* as ¥1,150,000.00 (texts that are no amount count 0)."""
    result = Decimal(0)
    for value in values:
        try:
            number = Decimal(re.sub(r"[,，\s¥￥]", "", str(value or "")) or "0")
        except InvalidOperation:
            continue
        result += number if number.is_finite() else 0
    return money(f"{result:.2f}")


def moment(value: object) -> datetime | None:
    """Return *value* (a datetime or ISO text) as an aware datetime in China time."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return None
    if not isinstance(value, datetime):
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(CHINA)


def _as_date(value: object) -> date | None:
    if isinstance(value, datetime):
        return moment(value).date()  # type: ignore[union-attr]
    if isinstance(value, date):
        return value
    if isinstance(value, str) and len(value) == 10:
        try:
            return parse_date(value)
        except ValueError:
            return None
    found = moment(value)
    return found.date() if found else None


def date_text(value: object) -> str:
    """Return a date as 2026年3月2日 (or March 2, 2026)."""
    found = _as_date(value)
    return format_date(found, "long") if found else (str(value) if value else DASH)


def due_text(value: object) -> str:
    """Return the day a due instant falls on; a deadline at midnight belongs to the day before."""
    found = moment(value)
    if found is None:
        return date_text(value)
    if found.hour == found.minute == found.second == 0:
        found -= timedelta(days=1)
    return format_date(found.date(), "long")


def datetime_text(value: object) -> str:
    """Return an instant in China time as 2026年3月2日 12:00."""
    found = moment(value)
    if found is None:
        return str(value) if value else DASH
    return f"{format_date(found.date(), 'long')} {found:%H:%M}"


def waited(since: object, now: datetime) -> str:
    """Return how long something has waited, as 已等待 27 分钟 (under a minute: 刚刚到达)."""
    start = moment(since)
    if start is None:
        return DASH
    seconds = max(0, int((now - start).total_seconds()))
    days, hours, minutes = seconds // 86400, seconds // 3600, seconds // 60
    if days:
        return ngettext("Waited %(num)d day", "Waited %(num)d days", days)
    if hours:
        return ngettext("Waited %(num)d hour", "Waited %(num)d hours", hours)
    if minutes:
        return ngettext("Waited %(num)d minute", "Waited %(num)d minutes", minutes)
    return _("Just arrived")


def overdue(due: object, now: datetime) -> bool:
    """Return True if *due* has passed."""
    found = moment(due)
    return found is not None and found < now


WEEKDAYS = (_l("Mon"), _l("Tue"), _l("Wed"), _l("Thu"), _l("Fri"), _l("Sat"), _l("Sun"))
ORIGINS = {"override": _l("Override"), "chinese-calendar": _l("chinese-calendar (official)"),
           "holidays": _l("Statutory holiday (computed)"), "weekday": _l("Weekday rule")}


def weekday(number: object) -> str:
    """Return the short name of a weekday (0 = Monday)."""
    return str(WEEKDAYS[number]) if isinstance(number, int) and 0 <= number < 7 else DASH


def day_origin(code: object) -> str:
    """Return where the calendar took a day from."""
    return str(ORIGINS.get(str(code), code))


def clock_text(item: object) -> str:
    """Return a deadline's working days left (剩余 N 个工作日) or late (已逾期 N 个工作日)."""
    if not isinstance(item, dict) or item.get("days_left") is None:
        return ""
    if item.get("days_late"):
        return ngettext("%(num)d working day late", "%(num)d working days late", item["days_late"])
    if item.get("overdue"):
        return _("Overdue")
    if item["days_left"] == 0:
        return _("Due today")
    return ngettext("%(num)d working day left", "%(num)d working days left", item["days_left"])


def period_text(value: object) -> str:
    """Return a reconciliation period as people write it: `2026Q3` as 2026年第3季度 (Q3 2026), `2026-07` as
    2026年7月 (July 2026), `2026` as 2026年度 (Year 2026); any other text unchanged."""
    try:
        period = parse_period(value)
    except PeriodError:
        return str(value) if value else DASH
    if found := QUARTER_RE.match(period.name):
        return _("Q%(quarter)s %(year)s", quarter=found[2], year=found[1])
    if MONTH_RE.match(period.name):
        return format_skeleton("yMMMM", period.start, locale=get_locale() or "zh")
    return _("Year %(year)s", year=period.name)


_RECONCILIATION_TITLE = re.compile(r"^(?P<bank>.+) (?P<period>20[0-9]{2}(?:Q[1-4]|-[01][0-9])?) 对账$")


def instance_title(value: object) -> str:
    """Return an instance's stored title for the page; a reconciliation's (`中国工商银行太仓分行 2026Q3 对账`)
    names its period as people say it (中国工商银行太仓分行 2026年第3季度对账)."""
    text = str(value or "")
    found = _RECONCILIATION_TITLE.match(text)
    if found is None:
        return text
    return f"{found['bank']} {_('Reconciliation %(period)s', period=period_text(found['period']))}"
