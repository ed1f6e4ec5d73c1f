"""Complaint rewards (CS-12): the part module of QP-CS for the 考核/奖励情况表 (``forms/CS-REWARD.yaml``).

What the declaration cannot say (S004 考核及奖励办法 + 实施细则):
- only justified (有理) complaints are rewarded (principle D); an unclear one goes to the leader's step
  (``only_if: justified = unclear``), whose ruling must be 有理 for the record to go on;
- non-human causes (网络、系统) are not rewarded (principle B): the cause follows the catalogue item;
- one reward per complaint (办法 5, 第八条), for a complaint record of one of :data:`COMPLAINT_FORMS`;
- the reviewer named is the department's designated one (第七条, :mod:`.rewards_reviewers`);
- the grade, cause and catalogue version come from the admin-edited catalogue (:mod:`.catalogue`),
  given to ``compute:`` as the lookup table ``catalogue`` (:func:`catalogue.lookup_table`).
"""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..records.links import LIVE, linked
from ..records.lookup import record_of
from ..records.procedures import FormRules
from . import catalogue, rewards_reviewers, rewards_views

REWARD = "CS-REWARD"
FILING = "CS-REWARD-FILING"  # a monthly sheet filed (closes its calendar duty)
# The complaint forms a reward may be for: the complaint form, fee disputes, network complaints (the
# last two are built beside this part; a code with no form yet simply never matches).
COMPLAINT_FORMS = ("CS-INQ", "TS-FEE", "CS-NET")


def _complaint(record, values: dict) -> dict:
    complaint = record_of(values, "complaint")
    if complaint is None:  # the declaration cannot require a link to one of several forms
        return {"complaint": [_("Enter the number of the complaint record this reward is for.")]}
    if complaint.form_code not in COMPLAINT_FORMS:
        return {"complaint": [_("A reward is for a complaint record (%(forms)s).", forms="、".join(COMPLAINT_FORMS))]}
    others = [r for r in linked(REWARD, "complaint", complaint.id, statuses=LIVE)
              if record is None or r.id != record.id]
    if others:
        return {"complaint": [_("This complaint already has a reward record (%(number)s): one reward per complaint.",
                                number=others[0].display_number)]}
    return {}


def check_reward(record, values: dict, user) -> dict:
    """Only justified, human-caused complaints are rewarded, once per complaint record."""
    errors = _complaint(record, values)
    if values.get("item") and values.get("catalogue_version") is None:
        errors["item"] = [_("%(item)s is not an item in use in the complaint item catalogue (version %(v)d).",
                            item=values.get("item"), v=catalogue.current_version())]
    if values.get("justified") == "no":
        errors["justified"] = [_("Unjustified complaints are not rewarded (principle D).")]
    if values.get("cause") in ("system", "network"):
        errors["item"] = [_("Item %(item)s is a system or network cause: such complaints are not rewarded "
                            "(principle B).", item=values.get("item"))]
    if values.get("leader_ruling") == "no":
        errors["leader_ruling"] = [_("Ruled unjustified: no reward. Void this record with the ruling as the reason.")]
    return errors


def draft_reviewer(record, values: dict, user) -> dict:
    """The reviewer named is the department's designated reward reviewer (第七条)."""
    dept = record.department_id if record is not None else user.department_id
    person = rewards_reviewers.designated(dept)
    if person is None:
        return {"reviewer": [_("Your department has no designated reward reviewer yet: ask an administrator "
                               "to name one (投诉奖励审核人).")]}
    if str(values.get("reviewer") or "") != str(person.id):
        return {"reviewer": [_("The department's designated reward reviewer is %(name)s.", name=person.full_name)]}
    return {}


FORMS = {REWARD: FormRules(checks=(check_reward,), draft_checks=(draft_reviewer,), lookups=catalogue.lookup_table,
                            panel=rewards_views.reward_panel),
         FILING: FormRules(panel=rewards_views.filing_panel)}
BLUEPRINTS = (rewards_views.bp,)
_CSD_CLERK = [{"role": "clerk", "department": "CSD"}, {"role": "department_head", "department": "CSD"}]
# The monthly sheets' duties (S004), each closed by a filing record of its own sheet (its period field is
# the month only for that sheet). "前" read as "by the end of that day" (QP-CS 4.0, rewards).
RULES = [
    {"id": "cs12-repricing", "requirement": "CS-12", "kind": "monthly", "day": 20, "remind_days_before": 3,
     "title": {"zh": "每月20日前奖励汇总报业务监督室作二次批价",
               "en": "Reward summary to business supervision for repricing by the 20th"},
     "recipients": _CSD_CLERK, "closes_with": {"form": FILING, "period_field": "repricing_period"}},
    {"id": "cs12-register", "requirement": "CS-12", "kind": "monthly", "day": 30, "remind_days_before": 3,
     "title": {"zh": "每月30日前投诉奖励登记表报营帐数据室",
               "en": "Complaint reward register to the billing data room by the 30th"},
     "recipients": _CSD_CLERK, "closes_with": {"form": FILING, "period_field": "register_period"}},
    {"id": "cs12-summary", "requirement": "CS-12", "kind": "monthly", "day": 1, "remind_days_before": 2,
     "title": {"zh": "每月1日前上月考核/奖励情况汇总表（Excel）报市场部业务监督室",
               "en": "Last month's assessment and reward summary (Excel) to marketing by the 1st"},
     "recipients": _CSD_CLERK, "closes_with": {"form": FILING, "period_field": "summary_period"}},
]
AUDIT_ACTIONS = {
    "complaint_item_added": _l("Complaint item added"),
    "complaint_item_changed": _l("Complaint item changed"),
    "reward_reviewer_set": _l("Reward reviewer named"),
}
