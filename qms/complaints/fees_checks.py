"""Value checks of the fee-complaint forms the declarations cannot say (CS-10, CS-11, CS-13, CS-14):
money with at most two decimals, a refund not over the disputed amount, a transfer to another number,
an error's charges and who bears it, no refund the supervisor refused. Pure functions
``(record | None, values, user) -> {field: [message]}``, registered in ``fees.FORMS``."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _

from ..core.i18n import tr
from ..records import spec as specs
from ..records.phones import digits
from .fees_forms import MONEY_COLUMNS, MONEY_FIELDS, Method, Route


def _amount(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _money_problem(value) -> str | None:
    """Why ``value`` is not an amount of money in yuan (negative, or finer than a fen), or None."""
    amount = _amount(value)
    if amount is None:
        return None
    if amount < 0:
        return _("Must be at least %(min)s.", min=0)
    if amount.as_tuple().exponent < -2 and amount != amount.quantize(Decimal("0.01")):
        return _("At most two decimals (yuan and fen).")
    return None


def check_money(record, values, user) -> dict:
    """Every amount of TS-FEE is in yuan with at most two decimals and not negative."""
    errors = {}
    for name in MONEY_FIELDS:
        problem = _money_problem(values.get(name))
        if problem:
            errors[name] = [problem]
    return errors


def check_refund(record, values, user) -> dict:
    """TS-002: the refund is not over the disputed amount; a transfer goes to another number than the
    disputed one; TS-004: a top-up to an invalid number is moved, never paid back in cash, and one to a
    cancelled number is paid back only with the card taken back; a reduction
    the supervisor refused (TS-003) is not granted after all."""
    errors: dict = {}
    refund, disputed = _amount(values.get("refund_amount")), _amount(values.get("disputed_amount"))
    if refund is not None and disputed is not None and refund > disputed:
        errors["refund_amount"] = [_("The refund (%(refund)s yuan) may not be more than the disputed amount "
                                     "(%(disputed)s yuan).", refund=refund, disputed=disputed)]
    other = values.get("transfer_number")
    if other and digits(other) and digits(other) == digits(values.get("phone_number")):
        errors["transfer_number"] = [_("Transfer to another number than the disputed one.")]
    if (values.get("flow") == "ts004" and values.get("number_state") == "invalid"
            and values.get("refund_method") == Method.CASH):
        errors["refund_method"] = [_("A top-up to an invalid number is moved to the right number, not paid "
                                     "back in cash (TS-004).")]
    if (values.get("flow") == "ts004" and values.get("number_state") == "cancelled"
            and values.get("route") == Route.REFUND and not values.get("card_recovered")):
        errors["card_recovered"] = [_("A refund for a cancelled number takes the top-up card back (TS-004).")]
    if values.get("approval_decision") == "refused" and values.get("route") in (Route.REFUND, Route.REPRICE):
        errors["route"] = [_("The supervisor refused the reduction: explain to the customer instead.")]
    return errors


def check_error(record, values, user) -> dict:
    """CS-11: an error (错办/误办/漏办) states both charges, so its amount can be worked out, and who
    bears it."""
    if not values.get("error_type"):
        return {}
    errors = {}
    for name in ("correct_charge", "wrong_charge", "liability"):
        if values.get(name) in (None, ""):
            errors[name] = [_("Required for an error (wrong, unrequested or omitted service).")]
    return errors


def check_month_rows(code: str):
    """The row check of a monthly summary form (``code``): its money columns in yuan with at most two
    decimals, and a transfer to another number than the row's own."""
    columns = MONEY_COLUMNS[code]

    def check(record, values, user) -> dict:
        table = specs.get(code).field_map["items"]
        label = {c.name: tr(c.label) for c in table.columns}
        messages = []
        for n, row in enumerate(values.get("items") or [], 1):
            for column in columns:
                problem = _money_problem(row.get(column))
                if problem:
                    messages.append(_("Row %(row)d, %(column)s: %(message)s", row=n, column=label[column],
                                      message=problem))
            other = row.get("transfer_number")
            if other and digits(other) == digits(row.get("phone_number")):
                messages.append(_("Row %(row)d, %(column)s: %(message)s", row=n, column=label["transfer_number"],
                                  message=_("Transfer to another number than the disputed one.")))
        return {"items": messages} if messages else {}
    return check
