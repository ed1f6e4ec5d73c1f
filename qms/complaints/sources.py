"""The complaint forms the month summary (CS-07) and the complaints desk count, and where each keeps
the facts they count by.

Every complaint form says the same things under its own field names: when it was received (the
month it belongs to), the channel, the category, the grade (severity), the cause, whether it is a
repeat complaint, the reply date and the department that handles it. A form leaves out what it
does not record (``None``): its complaints are counted under "unknown" for that dimension.

Counts are read from the register's facet index (``record_facets``) and the ``records`` columns,
never from the records' JSON, so each field named here must be one of its form's
``register.filters`` (:func:`unindexed` says which are not; ``tests/complaints/test_month_summary.py``
checks it).
"""
from __future__ import annotations

from dataclasses import dataclass

from ..records import spec as specs

DIMENSIONS = ("category", "channel", "grade", "cause", "repeat")  # facts read from a field, if declared


@dataclass(frozen=True)
class Source:
    """One complaint form and the fields holding what the summary and the desk count by."""

    form: str
    received: str  # datetime field: 受理时间, which month the complaint belongs to
    channel: str | None = None  # 受理渠道 (CS-INQ's values)
    category: str | None = None  # 类别 / 争议类型
    grade: str | None = None  # 严重程度: minor/general/major/serious
    cause: str | None = None  # 原因
    repeat: str | None = None  # first/repeat (首次/重复)
    due: str | None = None  # the reply-due date; read from ``records.due_on`` (the form's ``due_field``)
    department: str | None = None  # a department field (the handling department); None: the record's own
    flow: str | None = None  # a flow choice (one form, several flows): counted with the form
    clocks: tuple[str, ...] = ()  # the reminder rules that are its reply clocks (the desk's "due within")

    def field_of(self, dimension: str) -> str | None:
        """The field holding ``dimension`` ('category', 'grade', ...), or None."""
        return getattr(self, dimension)

    def indexed_fields(self) -> tuple[str, ...]:
        """Every field the counts read from the facet index."""
        return tuple(f for f in (self.received, self.department, self.flow,
                                 *(self.field_of(d) for d in DIMENSIONS)) if f)


SOURCES: tuple[Source, ...] = (
    # 客户投诉查询表 (CS-01..03, CS-08, CS-12): the reply date is its derived reply_due_at.
    Source("CS-INQ", received="received_at", channel="channel", category="category", grade="severity",
           cause="cause", repeat="repeat", due="reply_due_at", department="handling_department",
           clocks=("cs10-reply-due",)),
    # 费用争议投诉处理单 (TS-001..TS-008): the dispute type is its category; no grade; the 24-hour clock
    # is a reminder rule, not a stored date.
    Source("TS-FEE", received="received_at", channel="channel", category="dispute_type", cause="cause",
           repeat="repeat", department="handling_department", flow="flow",
           clocks=("cs10-fee-24h", "cs10-fee-same-day", "cs16-short-call-monitoring")),
    # 网络质量投诉处理单 (CS-15): its nine categories; each step's clock is its own (network_clock).
    Source("CS-NET", received="received_at", channel="channel", category="category", grade="severity",
           clocks=("cs15-network-step",)),
)


def active() -> list[tuple[Source, object]]:
    """The sources whose form is loaded, each with its current declaration."""
    out = []
    for src in SOURCES:
        spec = specs.get(src.form)
        if spec is not None:
            out.append((src, spec))
    return out


def forms() -> tuple[str, ...]:
    """The complaint form codes."""
    return tuple(s.form for s in SOURCES)


def clock_rules() -> tuple[str, ...]:
    """The reply-clock reminder rules of every complaint form (not the regulator's 15 days, not
    the remote-fault chase: those are not the reply the desk watches)."""
    return tuple(rule for s in SOURCES for rule in s.clocks)


def unindexed(src: Source, spec) -> list[str]:
    """The fields of ``src`` its form does not index (not in ``register.filters``): counting them
    would mean reading every record."""
    return [f for f in src.indexed_fields() if f not in spec.register_filters]
