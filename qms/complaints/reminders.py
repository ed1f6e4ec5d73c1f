"""Calendar duties of the after-sales service and complaint procedure (ZLAL009 21-6..21-9, TS handbook)."""

RULES = [
    # 「每月28日(除节假日)」: a 28th on a holiday or weekend moves to the working day before (the seed does not
    # say which way; the bank run, the invoices and the payment notices due by the 5th wait on it).
    {"id": "cs06-bills", "requirement": "CS-06", "kind": "monthly", "day": 28, "remind_days_before": 3,
     "on_holiday": "earlier", "closes_with": {"form": "CS-BILLMONTH", "period_field": "month", "step": "bills"},
     "title": {"zh": "核算室每月28日前处理完话费", "en": "Bills done by the 28th (billing office)"},
     "recipients": [{"role": "clerk", "department": "BIL"}, {"role": "department_head", "department": "BIL"}],
     "ladder": [{"after_hours": 24, "to": "quality_manager"}]},
    # 「每月4日前」 and 「次月5日前」: "前" is *before* (QP-CS 4.0, month decisions), so the last day is the 3rd and
    # the 4th; no holiday rule (the seed says 除节假日 only of the 28th).
    {"id": "cs06-longdistance", "requirement": "CS-06", "kind": "monthly", "day": 3, "remind_days_before": 2,
     "closes_with": {"form": "CS-BILLMONTH", "period_field": "month", "step": "online"},
     "title": {"zh": "每月4日前上月长话记录上网", "en": "Last month's long-distance records online before the 4th"},
     "recipients": [{"role": "clerk", "department": "ITN"}, {"role": "department_head", "department": "ITN"}]},
    {"id": "cs06-notices", "requirement": "CS-06", "kind": "monthly", "day": 4, "remind_days_before": 3,
     "closes_with": {"form": "CS-BILLMONTH", "period_field": "month", "step": "notices"},
     "title": {"zh": "次月5日前付款通知书送达未缴费客户", "en": "Payment notices delivered before the 5th"},
     "recipients": [{"role": "clerk", "department": "BIL"}, {"role": "department_head", "department": "BIL"}]},
    # 「每月底」: the last day of the month; done when 客户服务部 signs the summary (企业管理部 receives it after).
    {"id": "cs07-summary", "requirement": "CS-07", "kind": "monthly", "day": 31, "remind_days_before": 3,
     "closes_with": {"form": "CS-SUMMARY", "period_field": "month", "step": "compile"},
     "title": {"zh": "月底投诉单汇总报企业管理部", "en": "Month-end complaint summary to Enterprise Management"},
     "recipients": [{"role": "clerk", "department": "CSD"}, {"role": "department_head", "department": "CSD"}],
     "ladder": [{"after_hours": 48, "to": "quality_manager"}]},
    {"id": "cs13-refunds", "requirement": "CS-13", "kind": "monthly", "day": 26, "remind_days_before": 2,
     "title": {"zh": "每月26日前退减免话费汇总报核算室", "en": "Refund/reduction summary to the billing office by the 26th"},
     # Done when the hall sends the month's TS-REFUNDS (its submit signature; 核算室 signs for it after).
     "closes_with": {"form": "TS-REFUNDS", "period_field": "month", "step": "submit"},
     "recipients": [{"role": "clerk", "department": "CSD"}, {"role": "clerk", "department": "HAL"},
                    {"role": "clerk", "department": "GDH"}]},
    {"id": "cs14-repricing", "requirement": "CS-14", "kind": "monthly", "day": 30, "remind_days_before": 2,
     "title": {"zh": "每月30日前二次批价汇总", "en": "Secondary pricing summary by the 30th"},
     # SEEDS-DIGEST §5 item 7: the halls compile it (TS-001 「专业厅」) and report it to 市场部; done when the
     # month's TS-REPRICE is reported (its submit signature).
     "closes_with": {"form": "TS-REPRICE", "period_field": "month", "step": "submit"},
     "recipients": [{"role": "clerk", "department": "CSD"}, {"role": "clerk", "department": "HAL"},
                    {"role": "clerk", "department": "GDH"}],
     "ladder": [{"after_hours": 48, "to": "quality_manager"}]},
]
