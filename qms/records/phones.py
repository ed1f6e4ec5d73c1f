"""Phone numbers compared as people type them (issue #11 item 5): by their digits.

A clerk types "0756-2212345", a colleague searches "0756 221 2345", a customer's card says
"+86 756 2212345", and a Chinese input method gives "０７５６２２１２３４５". They are one number.
:func:`digits` turns each of them into the same text, which the register stores next to the value as
typed (``records.indexing.index_values``: search text and facets) and compares the query with
(``records.register.build_query``).

The "+86" rule. In the international form a landline drops the trunk prefix "0" of its area code
("+86 756 2212345" is dialled in China as "0756 2212345"); mobile numbers have no trunk prefix
("+86 138 0013 8000" is "13800138000"). So after a "+86" or "0086" country prefix the number gets
its "0" back, unless it already has one (people also write "+86 0756 …") or it is a mobile number
(1 then 3-9). Without a country prefix nothing is added or removed: "2212345" stays a local number
and still finds "0756-2212345", because the register searches for a part of the text.
"""
from __future__ import annotations

import re
import unicodedata

# What may stand between the digits of a number as people write it (full-width forms are folded
# to these first). Anything else (a letter, a slash) means the text is not a phone number.
_PHONE_TEXT = re.compile(r"[0-9+\-() .]+")
_MOBILE = re.compile(r"^1[3-9]")


def fold(text: str) -> str:
    """``text`` with full-width digits, signs and spaces as their ASCII forms (NFKC: "０７５６－" ->
    "0756-", the ideographic space -> " ")."""
    return unicodedata.normalize("NFKC", text)


def digits(text: str | None) -> str:
    """The number in ``text`` as its national digits: separators and full-width forms ignored, a
    "+86"/"0086" country prefix replaced by the trunk "0" a landline needs (see the module
    docstring). "" when ``text`` holds no digits."""
    raw = fold(str(text or "")).strip()
    number = re.sub(r"\D", "", raw)
    country = "86" if raw.startswith("+") else "0086"  # "+86 …" or "0086 …"
    if number.startswith(country):
        number = number[len(country):]
        if number and not number.startswith("0") and not _MOBILE.match(number):
            number = "0" + number  # the trunk prefix of an area code (see the module docstring)
    return number


def looks_like_phone(text: str) -> bool:
    """True when ``text`` (a search) is written like a phone number: digits with spaces, dashes,
    parentheses, dots or a leading "+" (full-width forms too), and at least three digits."""
    folded = fold(text).strip()
    return bool(_PHONE_TEXT.fullmatch(folded)) and sum(c.isdigit() for c in folded) >= 3


# Where a second number or an extension starts in a phone field ("0756-2212345 转 8001",
# "13800138000 / 0756-2212345", "0756-2212345，13800138000"): the customer index keeps the first number.
_SECOND = re.compile(r"(转|分机|ext\.?|x|#|/|,|;|、|或|\|)", re.IGNORECASE)


def key(text: str | None) -> str:
    """The customer index's key of a phone field (``records.customers``): the national digits of its
    first number (:func:`digits`), an extension or a second number left out; "" when it holds fewer
    than three digits (nothing a person could look up). At most 40 digits."""
    first = _SECOND.split(fold(str(text or "")), maxsplit=1)[0]
    number = digits(first)
    return number[:40] if len(number) >= 3 else ""


def phone_query(text: str) -> bool:
    """True when a search is written only with what a phone number is written with (digits, spaces,
    dashes, brackets, dots, "+"; full-width forms too), even with no digit at all: "---" and "+86"
    are phone searches that hold no number, not names."""
    return bool(_PHONE_TEXT.fullmatch(fold(text).strip()))
