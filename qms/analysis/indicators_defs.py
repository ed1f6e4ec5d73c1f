"""The computed indicators (DA-01) as declarations: key, label, unit, which way is good, the period, and
the rule in words (zh + en), shown under each number. ``indicators_rules`` implements each rule; the
wording here and the code there say the same thing (QP-DA 4.0 决定 / Decisions, indicators)."""
from __future__ import annotations

from dataclasses import dataclass

NC_CLOSE_DAYS = 30  # a nonconformity with no declared due day is due 30 days after it was found (QP-DA 4.0)


@dataclass(frozen=True)
class Indicator:
    """One computed indicator. ``scale``: 'percent' (100 × numerator / denominator), 'count' (the
    numerator) or 'score' (numerator in hundredths of a point, averaged over the denominator)."""

    key: str
    label: dict
    unit: dict
    direction: str  # "at_least" | "at_most": which way is good
    words: dict  # the rule stated in words {zh, en}
    period: str  # "month" | "year"
    scale: str = "percent"
    forms: tuple[str, ...] = ()  # the forms whose records count

    @property
    def counts_all(self) -> bool:
        """True when the records behind the number are the denominator's (a share); a count's are its
        numerator's."""
        return self.scale != "count"


PCT = {"zh": "%", "en": "%"}
ITEMS = {"zh": "件", "en": "cases"}

DEFINITIONS: tuple[Indicator, ...] = (
    Indicator(
        "fee_disputes_24h",
        {"zh": "话费争议24小时内解决率", "en": "Fee disputes settled within 24 hours"}, PCT, "at_least",
        {"zh": "当月受理(按受理时间)的费用争议投诉单(TS-FEE,已提交、未作废;勾选「个别复杂争议」的除外)中,"
               "「解决」一步在受理后24小时内签名的比例;按派单处理部门统计。尚未解决的计入分母,不计入分子。",
         "en": "Of the fee-dispute complaints (TS-FEE, submitted, not voided; those marked complex are left out) "
               "received in the month, the share whose resolution step was signed within 24 hours of receipt; "
               "counted under the department dispatched to. One not yet resolved counts in the denominator only."},
        "month", forms=("TS-FEE",)),
    Indicator(
        "complaints", {"zh": "投诉件数", "en": "Complaints"}, ITEMS, "at_most",
        {"zh": "当月受理(按受理时间)的客户投诉查询表(CS-INQ)、费用争议投诉处理单(TS-FEE)和网络质量投诉处理单(CS-NET)"
               "件数(已提交、未作废,与《投诉月度汇总》口径相同);按处理部门统计(无处理部门的按登记部门),可按类别和严重程度分列。",
         "en": "The complaints received in the month on CS-INQ, TS-FEE and CS-NET (submitted, not voided; as the month "
               "summary CS-07 counts them), under the handling department (else the recording department); split by "
               "category and grade."},
        "month", scale="count", forms=("CS-INQ", "TS-FEE", "CS-NET")),
    Indicator(
        "complaints_serious", {"zh": "严重投诉件数", "en": "Serious complaints"}, ITEMS, "at_most",
        {"zh": "上述投诉中严重程度为「严重」的件数(费用争议单不分严重程度,不计入)。",
         "en": "Of those complaints, the ones graded serious (严重); fee disputes carry no grade and are not counted."},
        "month", scale="count", forms=("CS-INQ", "CS-NET")),
    Indicator(
        "keycust_on_time",
        {"zh": "重点客户服务按时完成率", "en": "Key-customer services done on time"}, PCT, "at_least",
        {"zh": "当月书面通知(按通知时间)的重点客户服务记录(CS-KEY,每个承办部门一份)中,承办部门在服务时限"
               "(通知日加服务类别的天数,当日24时止)内完成并签名的比例;按承办部门统计。未完成的计入分母。",
         "en": "Of the key-customer service records (CS-KEY, one per department) notified in the month, the share the "
               "department completed and signed within the time limit (the notice day plus the request type's days, "
               "to the end of that day); counted under the department to act. One not completed counts in the "
               "denominator."},
        "month", forms=("CS-KEY",)),
    Indicator(
        "billing_passed", {"zh": "计费准确率检测合格率", "en": "Billing-accuracy tests passed"}, PCT, "at_least",
        {"zh": "检测月份为当月、已审核的交换机计费准确率检测记录(INS-BILLING)中,计费正确数/抽测话单数"
               "不低于该交换机类型规定准确率的比例。",
         "en": "Of the reviewed billing-accuracy tests (INS-BILLING) for the month tested, the share whose calls "
               "billed correctly / calls tested reach the required accuracy of the switch's type."},
        "month", forms=("INS-BILLING",)),
    Indicator(
        "calibration_on_time", {"zh": "仪器按期检定率", "en": "Instruments calibrated on time"}, PCT, "at_least",
        {"zh": "检定日期在当月、已审核的计量检定记录(INS-CAL)中,检定日期不晚于应检日"
               "(该仪器上一次合格或限用检定日期,无则入库登记的有效检定日期,加检定周期)的比例。"
               "到期未送检的仪器见仪器台账,不在此计。",
         "en": "Of the reviewed calibrations (INS-CAL) dated in the month, the share done by the due day (the "
               "instrument's previous pass or restricted calibration, else the date on its intake record, plus its "
               "interval). Instruments overdue and not yet calibrated are on the instrument dashboard, not here."},
        "month", forms=("INS-CAL",)),
    Indicator(
        "nc_closed_on_time", {"zh": "不合格项按期关闭率", "en": "Nonconformities closed on time"}, PCT, "at_least",
        {"zh": f"发现日期在当月的不合格项报告(CA-NC,已提交、未作废)中,企业管理部在应关闭日(表单有到期日按到期日,"
               f"否则发现日后{NC_CLOSE_DAYS}天)当日或之前签名关闭的比例;按责任部门统计。未关闭的计入分母。",
         "en": f"Of the nonconformities (CA-NC, submitted, not voided) found in the month, the share 企业管理部 closed "
               f"on or before the due day (the form's due date if it has one, else {NC_CLOSE_DAYS} days after it was "
               f"found); counted under the responsible department. One still open counts in the denominator."},
        "month", forms=("CA-NC",)),
    Indicator(
        "workorders_in_limit",
        {"zh": "装移修工单按时限完成率", "en": "Work orders done within their limit"}, PCT, "at_least",
        {"zh": "当月开单(按开单时间)的装、移、修工单(CP-WO,已提交、未作废)中,线务员完工自检签名、"
               "完成时间不晚于完成期限的比例;按开单部门统计。未完工的计入分母。",
         "en": "Of the install, move and repair work orders (CP-WO, submitted, not voided) issued in the month, the "
               "share whose lineman signed the self-check with a completion time by the due time; counted under the "
               "issuing department. One not yet done counts in the denominator."},
        "month", forms=("CP-WO",)),
    Indicator(
        "survey_score", {"zh": "客户满意度得分", "en": "Customer satisfaction score"}, {"zh": "分", "en": "points"},
        "at_least",
        {"zh": "当年已关闭的服务质量客户征询(DA-SURVEY)的加权总分(各项得分×权重之和);一年有多次时取平均。",
         "en": "The weighted total score (Σ item score × weight) of the year's closed satisfaction survey "
               "(DA-SURVEY); the mean when a year has more than one."},
        "year", scale="score", forms=("DA-SURVEY",)),
)
