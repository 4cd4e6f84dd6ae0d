"""Names people read for the codes the system stores: stages, statuses, roles, rounds, categories."""
from __future__ import annotations

from flask import g, has_app_context
from flask_babel import get_locale, gettext, lazy_gettext as _l

_ENGLISH = "yikatong_english"

STAGES = {
    "declaration": _l("Declaration"),
    "review": _l("Review"),
    "plan": _l("Fund use plan"),
    "funds": _l("Funds secured"),
    "procurement": _l("Procurement"),
    "contract": _l("Tripartite contract"),
    "construction": _l("Construction"),
    "acceptance": _l("Acceptance"),
    "payment": _l("Payment"),
    "allocation_setup": _l("Allocation: figures"),
    "allocation_banks": _l("Allocation: banks confirm"),
    "allocation_approval": _l("Allocation: approval"),
    "reconciliation_report": _l("Reconciliation: bank reports"),
    "reconciliation_explain": _l("Reconciliation: bank explains"),
    "reconciliation_close": _l("Reconciliation: bureau closes"),
    "completed": _l("Completed"),
    "rejected": _l("Rejected"),
    "withdrawn": _l("Withdrawn"),
    "terminated": _l("Terminated"),
}
PROJECT_STAGES = ("declaration", "review", "plan", "funds", "procurement", "contract", "construction",
                  "acceptance", "payment")
WORKING_STAGES = ("declaration", "review", "plan", "funds", "procurement", "contract", "construction",
                  "acceptance", "payment", "allocation_setup", "allocation_banks", "allocation_approval",
                  "reconciliation_report", "reconciliation_explain", "reconciliation_close")
STATUSES = {
    "running": _l("In progress"),
    "completed": _l("Completed"),
    "rejected": _l("Rejected"),
    "withdrawn": _l("Withdrawn"),
    "suspended": _l("Suspended"),
    "terminated": _l("Terminated"),
}
ROLES = {
    "department": _l("Department"),
    "bdc": _l("Big Data Center"),
    "hrss": _l("HRSS Bureau"),
    "hrss_head": _l("Bureau head"),
    "bank": _l("Cooperating bank"),
    "supervisor": _l("Supervisor"),
    "admin": _l("Administrator"),
    "process_owner": _l("Process owner"),
}
ORG_KINDS = {
    "bureau": _l("Bureau"),
    "bdc": _l("Big Data Center"),
    "department": _l("Department"),
    "bank": _l("Bank"),
}
ROUNDS = {
    "annual": _l("Annual round"),
    "supplementary": _l("Supplementary round"),
}
CATEGORIES = {
    "it.hardware": _l("IT: hardware"),
    "it.software": _l("IT: software"),
    "it.infrastructure": _l("IT: infrastructure construction"),
    "it.operations": _l("IT: system operation and maintenance"),
    "it.supervision": _l("IT: project supervision"),
    "it.other": _l("IT: other IT project costs"),
    "promotion": _l("Publicity and promotion"),
    "other.evaluation": _l("Project evaluation"),
    "other.consulting": _l("Expert consultation"),
    "other.agreed": _l("Other agreed costs"),
}
TASKS_EN = {
    "declare": "Declare project",
    "review": "Review feasibility study",
    "assign_bank": "Assign the bank and plan amount",
    "plan_prepare": "Prepare fund use plan",
    "plan_review": "Review fund use plan",
    "plan_signoff": "Sign off fund use plan",
    "secure_funds": "Confirm funds secured",
    "procurement": "Procurement",
    "contract": "Sign tripartite contract",
    "construction": "Construction",
    "acceptance": "Organise acceptance",
    "acceptance_bdc": "Acceptance: Big Data Center",
    "acceptance_hrss": "Acceptance: HRSS Bureau",
    "payment_notice": "Issue payment notice",
    "payment_receipt": "Sign for the payment notice and invoice",
    "payment": "Confirm payment",
    "payment_overdue": "Follow up overdue payment",
    "allocation_setup": "Enter the pool and card counts",
    "bank_confirm": "Confirm the card count",
    "allocation_approve": "Approve the allocation",
    "bank_report": "Report the card count and the amounts paid",
    "bank_explain": "Explain a reconciliation difference",
    "bureau_close": "Explain and close a reconciliation difference",
}


def _label(table: dict[str, object], code: object) -> str:
    if code is None or code == "":
        return "—"
    return str(table.get(str(code), code))


def stage(code: object) -> str:
    """Return the name of a stage."""
    return _label(STAGES, code)


def status(code: object) -> str:
    """Return the name of an instance status."""
    return _label(STATUSES, code)


def role(code: object) -> str:
    """Return the name of a role."""
    return _label(ROLES, code)


def org_kind(code: object) -> str:
    """Return the name of an organisation kind."""
    return _label(ORG_KINDS, code)


def round_(code: object) -> str:
    """Return the name of a declaration round."""
    return _label(ROUNDS, code)


def category(code: object) -> str:
    """Return the name of a spending category (§11)."""
    return _label(CATEGORIES, code)


def is_english() -> bool:
    """Return True if the page is shown in English (found once per request: a page asks hundreds of times)."""
    if not has_app_context():
        return False
    found = g.get(_ENGLISH)
    if found is None:
        locale = get_locale()
        found = locale is not None and locale.language == "en"
        setattr(g, _ENGLISH, found)
    return bool(found)


def form_text(text: object) -> str:
    """Return a text of a form (written in Chinese) in the page's language, if the catalogue has it."""
    value = str(text or "")
    return gettext(value) if value and is_english() else value


# Steps of different processes that share an id, told apart by the diagram's title.
TITLES_EN = {
    "合作银行确认资金保障": "Confirm the funds of the fund use plan",
    "确认上年年末持卡数量": "Confirm the card count",
}


def task_title(name: str, title: str) -> str:
    """Return a task's title: the diagram's (Chinese) title, or the English name when known."""
    if is_english():
        return TITLES_EN.get(title) or TASKS_EN.get(name, title)
    return title


def humanise(name: str) -> str:
    """Return a field name as words: `project_name` → `Project name`."""
    words = name.replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def organization_name(org: dict[str, str] | None) -> str:
    """Return an organisation's name in the page's language."""
    if not org:
        return "—"
    if is_english() and org.get("name_en"):
        return org["name_en"]
    return org.get("name") or org.get("code") or "—"


def own_organization(user: object) -> str:
    """Return the name of a signed-in user's organisation in the page's language."""
    return organization_name({"name": getattr(user, "org_name", ""), "name_en": getattr(user, "org_name_en", "")})
