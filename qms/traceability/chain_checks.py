"""The business acceptance slip's value checks (IT-02): service opened on the customer's own
equipment or works goes through the customer-property gate (CP-02).

S003 顾客财产控制程序: 「不符合进网规定的通信终端产品,均不能接入公众电信网络使用」, 「合格后才能准予开通业务」.
The slip names the item (KC- code); the register's published gate (``customer_property.register.
check_item``) refuses an unknown item or one that has not passed its check or acceptance, on the
field: the page shows it beside the field, the API answers 422, the importer reports the row.
"""
from __future__ import annotations

from flask_babel import gettext as _

from ..customer_property.register import check_item
from .chain_forms import ON_PROPERTY


def check_slip(record, values: dict, user) -> dict:
    """IT-BIZ: a PBX trunk or works opening names its item; a named item must have passed the gate."""
    errors = check_item(values, "property_item")
    if values.get("business_type") in ON_PROPERTY and values.get("property_item") in (None, ""):
        errors.setdefault("property_item", []).append(
            _("Opening service on a PBX or self-built works needs the customer-property item (KC- code)."))
    return errors
