"""Data analysis procedure (ZLAL009 21-19..21-21): the annual survey and the monthly meetings."""

RULES = [
    {"id": "da02-survey", "requirement": "DA-02", "kind": "yearly", "month": 12, "day": 15, "remind_days_before": 30,
     "title": {"zh": "年底顾客满意度征询（服务质量客户征询函）", "en": "Annual customer satisfaction survey"},
     "recipients": [{"role": "quality_manager", "department": ""}],
     # Done when that year's campaign is closed (its results frozen by 企业管理部's signature).
     "closes_with": {"form": "DA-SURVEY", "period_field": "year"}},
    {"id": "da03-meetings", "requirement": "DA-03", "kind": "monthly", "day": 10, "remind_days_before": 3,
     "title": {"zh": "每月经营分析会、工程协调会、运行维护分析会、业务协调会",
               "en": "Monthly business, engineering, O&M and coordination meetings"},
     "recipients": [{"role": "quality_manager", "department": ""}, {"role": "general_manager", "department": ""}]},
]
