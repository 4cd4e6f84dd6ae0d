"""Messages the services send in English, translated for the page (the catalogue holds them)."""
from __future__ import annotations

from flask_babel import gettext, lazy_gettext as _l

from services.errors import FieldError
from web.pages.formatting import date_text
from web.pages.labels import is_english

# Listed here so that message extraction finds them; keep in step with services/forms.py MESSAGES.
FIELD_MESSAGES = (
    _l("This field is required."), _l("Unknown field."), _l("Enter a value of type {expected}."),
    _l("Enter an amount in yuan with at most two decimals."), _l("Enter a date as YYYY-MM-DD."),
    _l("Upload a file."), _l("Enter at least {limit} characters."), _l("Enter at most {limit} characters."),
    _l("The value is not in the expected format."), _l("Choose one of the options."),
    _l("This must be confirmed."), _l("Enter a number of at least {limit}."),
    _l("Enter a number of at most {limit}."), _l("The amount must be at least {limit}."),
    _l("The amount must be at most {limit}."), _l("Add at least {limit} items."),
    _l("Add at most {limit} items."), _l("This date must not be earlier than {date}."),
    _l("The value is not valid."), _l("This value is set by the system and cannot be changed."),
    _l("This bank is listed twice."), _l("At least one bank must have cards: all counts are zero."),
    _l("The allocation of {year} is already fixed."), _l("Another allocation of {year} is under way."),
    _l("Choose one of the departments."), _l("A code has 2–64 characters: a-z first, then a-z, 0-9 and -."),
    _l("Another card function already has this code."), _l("Another card function already has this name."),
    _l("The dates overlap {other}."), _l("The date must lie in {year}."),
    _l("Another round of this year has this name."),
    _l("This date must not be later than {date}."), _l("The year must be between {first} and {last}."),
    _l("The lines add up to {total} but must add up to {expected}."),
    _l("This bank transaction number was already used for another payment of this bank."),
    _l("This invoice number was already used in another payment notice for this contractor."),
    _l("The payments of this contract would exceed its price of {price} ({paid} already paid)."),
    _l("The value is not valid."),
    _l("Project {project} is not listed in this plan."),
    _l("The plan's total of {total} exceeds the bank's remaining allocation of {remaining} for {year}: "
       "give the reason for approving it anyway."),
)
SERVICE_MESSAGES = (
    _l("Wrong user name or password."), _l("Too many failed sign-ins. Try again in 15 minutes."),
    _l("Too many failed sign-ins for this user from many places. Wait a minute and try again."),
    _l("The file is empty."), _l("The file is larger than 20 MiB."),
    _l("Only these kinds of file may be uploaded: doc, docx, jpg, pdf, png, xls, xlsx."),
    _l("The comment is empty or too long."), _l("The form has errors"),
    _l("the person who prepared this step may not also approve it"),
    _l("only the declaring department may withdraw a project"),
    _l("the project can no longer be withdrawn: the BDC has reviewed it"),
    _l("the project was changed by someone else; reload and try again"),
    _l("only an administrator may manage users and organisations"),
    _l("An organisation needs a code (a-z, 0-9, -) and a name."),
    _l("A user name has 3–64 characters: a-z first, then a-z, 0-9, _ . -"),
    _l("a password needs at least 8 characters"), _l("The reason may have at most 500 characters."),
    _l("Give the reason for withdrawing the declaration."),
    _l("only the bureau (hrss) may maintain the card function list"),
    _l("only the bureau (hrss) may manage funding years and declaration rounds"),
    _l("this card function is used by declarations: deactivate it instead"),
    _l("only the bureau, supervisors and the cooperating banks may see allocations"),
    _l("only the bureau, the Big Data Center, supervisors, administrators and the cooperating banks may "
       "see the ledger"),
    _l("The card function has errors"), _l("The round has errors"), _l("The dates have errors"),
    _l("Your roles only allow you to read: supervisors change nothing."),
    _l("only those who take part in a project may comment on it"),
    _l("Enter an e-mail address such as wang@example.cn."),
)
TYPE_NAMES = {"integer": _l("whole number"), "string": _l("text"), "boolean": _l("yes or no"),
              "array": _l("list"), "object": _l("group of fields"), "number": _l("number")}


def translate(message: str) -> str:
    """Return a service's message in the page's language (unchanged when the catalogue lacks it)."""
    return gettext(message) if message else message


def translated_detail(message: str) -> str:
    """Return a service's message if the page's language has it (English always does), else ''."""
    text = translate(message)
    return text if text != message or is_english() else ""


def _params(error: FieldError) -> dict[str, object]:
    params = dict(error.params)
    if error.code in ("notBefore", "notAfter") and "date" in params:
        params["date"] = date_text(params["date"])
    if error.code == "type":
        params["expected"] = str(TYPE_NAMES.get(str(params.get("expected")), params.get("expected")))
    return params


def field_message(error: FieldError) -> str:
    """Return one field error in the page's language."""
    template = translate(error.template)
    try:
        return template.format(**_params(error))
    except (KeyError, IndexError, ValueError):
        return template


def field_messages(errors: list[FieldError]) -> dict[str, str]:
    """Return one translated message per field path (the first one found)."""
    result: dict[str, str] = {}
    for error in errors:
        result.setdefault(error.path, field_message(error))
    return result
