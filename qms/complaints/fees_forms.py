"""The fee-complaint forms and the words their rules use, named once (CS-10, CS-11, CS-13, CS-14, CS-16)."""
from __future__ import annotations

from enum import StrEnum

FEE, REFUNDS, REPRICE, MONTERNET = "TS-FEE", "TS-REFUNDS", "TS-REPRICE", "TS-MONTERNET"
BILLING = "BIL"  # 核算室 (核算班): receives the non-cash forms on Thursdays and the month's summary

# Money fields of TS-FEE (yuan, at most two decimals, never negative).
MONEY_FIELDS = ("disputed_amount", "correct_charge", "wrong_charge", "refund_amount", "reprice_amount")
# Table columns that hold money, per monthly form.
MONEY_COLUMNS = {REFUNDS: ("amount",), REPRICE: ("amount",), MONTERNET: ("amount",)}

THURSDAY = 3  # date.weekday(): 「(统一周四)」 non-cash refund forms go to 核算室 on Thursdays
THURSDAY_RULE = "cs13-thursday-batch"


class Route(StrEnum):
    """How a dispute is resolved (TS-003 step 3): explained, TS-001, TS-002, held, or the data team."""

    EXPLAIN = "explain"
    REPRICE = "reprice"
    REFUND = "refund"
    HOLD = "hold"
    DATA = "data"


SUMMARIES = (REFUNDS, REPRICE, MONTERNET)  # the month's summaries drafted from the disputes


class Method(StrEnum):
    """How a refund is paid back (TS-002 step 3)."""

    CASH = "cash"
    TRANSFER = "transfer"
