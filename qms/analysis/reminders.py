"""Data analysis procedure (ZLAL009 21-19..21-21): the annual survey and the monthly meetings."""

RULES = [
    {"id": "da02-survey", "requirement": "DA-02", "kind": "yearly", "month": 12, "day": 15, "remind_days_before": 30,
     "title": {"zh": "年底顾客满意度征询（服务质量客户征询函）", "en": "Annual customer satisfaction survey"},
     "recipients": [{"role": "quality_manager", "department": ""}],
     # Done when that year's campaign is closed (its results frozen by 企业管理部's signature).
     "closes_with": {"form": "DA-SURVEY", "period_field": "year"}},
    # DA-03: four duties, one per meeting (「每月召开一次…」, no day or organiser in the seed: the 10th, and
    # the organiser per type, are decisions in QP-DA 4.0). The meeting held in month M reviews M-1: its
    # ``month`` field names M-1, and it does M's duty (offset 1). Done when the chair signs the record.
    *({"id": f"da03-{kind}", "requirement": "DA-03", "kind": "monthly", "day": 10, "remind_days_before": 3,
       "title": title,
       "closes_with": {"form": "DA-MEETING", "period_field": "month", "where": {"meeting_type": kind}, "offset": 1},
       "recipients": [{"role": "department_head", "department": dept}],
       "ladder": [{"after_hours": 48, "to": "quality_manager"}]}
      for kind, dept, title in (
          ("business", "EMD", {"zh": "每月召开经营分析会（分析上月业务、质量、财务目标完成情况）",
                               "en": "Monthly business analysis meeting (last month's targets)"}),
          ("engineering", "TDD", {"zh": "每月召开工程协调会（上月外包工程、交换机扩容、管线建设）",
                                  "en": "Monthly engineering coordination meeting (last month's works)"}),
          ("om", "OMD", {"zh": "每月召开运行维护分析会（上月交换机实占容量、运行维护指标）",
                         "en": "Monthly O&M analysis meeting (last month's capacity and O&M indicators)"}),
          ("coordination", "CSD", {"zh": "每月召开业务协调会（服务问题、服务流程优化、新业务营销）",
                                   "en": "Monthly business coordination meeting (service issues and flows)"}))),
    # A meeting's or review's action past its due day climbs the corrective actions' ladder (ca04-action-due):
    # owner, then the head of the owner's department, 企业管理部, the general manager.
    {"id": "da03-action-due", "requirement": "DA-03", "kind": "due", "form": "DA-ACTION", "field": "due_on",
     "owner_field": "owner", "at_steps": ["implement"], "lead_days": [7, 1],
     "title": {"zh": "会议措施到期", "en": "Meeting action due"},
     "ladder": [{"after_hours": 24, "to": "department_head"}, {"after_hours": 72, "to": "quality_manager"},
                {"after_hours": 168, "to": "general_manager"}]},
]
