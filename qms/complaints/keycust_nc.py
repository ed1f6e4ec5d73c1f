"""The nonconformities key-customer service and customer contact open by themselves (CA-01), through
the CAPA procedure's published service: an overdue key-customer service (source ``overdue_service``,
CS-04) and a dissatisfied customer (source ``survey``, CS-09). Texts are written in the records'
language, whoever caused them. Each opens at most one nonconformity per record (:func:`raised`)."""
from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _

from ..auth.lookup import department_name
from ..auth.models import Department
from ..capa.service import open_nonconformity
from ..core.i18n import RECORD_LOCALE, record_language
from ..core.timeutil import fmt, today
from ..records.links import linked
from ..records.lookup import choice_text, record_of
from ..records.models import VOIDED, Record

NC = "CA-NC"
KEY = "CS-KEY"  # its department to act answers for a key customer's dissatisfaction


def raised(record: Record) -> list[Record]:
    """The nonconformities opened from ``record`` (by the procedure or by a person), voided ones left out."""
    return [nc for nc in linked(NC, "source_record", record.id, numbered=True) if nc.status != VOIDED]


def overdue_service(record: Record, due_at: datetime, actor, completed_at: str | None = None) -> Record:
    """A key-customer service not completed in its time limit (S003 「若出现处理超时的情况,应及时上报
    企业管理部」): a nonconformity of the department that was to act, for 企业管理部."""
    v = record.values
    dept = v.get("target_department")
    with record_language():
        who = department_name(dept, RECORD_LOCALE)
        text = _("Key customer service %(number)s for %(customer)s (%(type)s) was not completed in time: notified "
                 "in writing at %(notified)s, limit %(days)s day(s), due by %(due)s; department to act: %(dept)s.",
                 number=record.display_number, customer=v.get("customer_name"),
                 type=choice_text(record, "request_type"), notified=(v.get("notified_at") or "").replace("T", " "),
                 days=v.get("limit_days"), due=fmt(due_at), dept=who)
        if completed_at:
            text += " " + _("Completed at %(when)s.", when=completed_at.replace("T", " "))
        else:
            text += " " + _("Still open when the time limit passed.")
        basis = _("Key-customer service time limit (%(form)s, QP-CS 4.0 (4))", form=record.form_code)
    return open_nonconformity(record, "overdue_service", Department.id_of(dept) or record.department_id, "general",
                              f"{text}\n{v.get('request') or ''}"[:4000], actor=actor, requirement=basis,
                              found_on=today())


def dissatisfied(record: Record) -> Record:
    """A customer who said they were dissatisfied (a callback, questionnaire or visit): a
    nonconformity for improvement through the CAPA procedure (S003 客户联络(2)). It belongs to the
    department whose work was followed up (a key-customer service: the department that acted; another
    record: its department), else to the department that surveyed."""
    v = record.values
    about = record_of(v, "about")
    with record_language():
        text = _("%(method)s on %(date)s: %(customer)s (%(phone)s) was dissatisfied.",
                 method=choice_text(record, "method"), date=v.get("contacted_on"), customer=v.get("customer_name"),
                 phone=v.get("phone_number"))
        if v.get("score") is not None:
            text += " " + _("Score %(score)s of 5.", score=v.get("score"))
        if about is not None:
            text += " " + _("About %(number)s.", number=about.display_number)
        basis = _("Customer satisfaction (%(form)s, QP-CS 客户联络)", form=record.form_code)
    text = "\n".join(t for t in (text, v.get("content"), v.get("improvement")) if t)
    dept = record.department_id
    if about is not None:
        acted = Department.id_of(about.values.get("target_department")) if about.form_code == KEY else None
        dept = acted or about.department_id
    return open_nonconformity(record, "survey", dept, "general", text[:4000], requirement=basis,
                              found_on=today())
