"""The computed indicators of the other registers (DA-01): key-customer services on time, billing-accuracy
tests passed, calibrations on time, work orders within their limit, the survey score of a closed campaign.
Each value equals the test's own count of the records it made.
covers: DA-01"""
from datetime import datetime
from decimal import Decimal

from werkzeug.datastructures import MultiDict

from qms.analysis import indicators
from qms.core import timeutil
from qms.extensions import db
from qms.records import service
from qms.records import spec as specs
from tests import factories as F
from tests.analysis import survey_helpers as sv
from tests.complaints import keycust_helpers as kc
from tests.customer_property import workorders_helpers as wo
from tests.instruments.helpers import Staff, calibrate, register, register_switch
from tests.support.clock import SH, at
from tests.support.records import sign


def test_da01_key_customer_services_done_within_their_limit(app):
    p = kc.People()
    kc.listed(p.clerk)
    fast = kc.key_service(p.clerk)  # install: 5 days from 20 November
    slow = kc.key_service(p.clerk, request_type="fault")  # fault: the same day
    kc.key_service(p.clerk, request_type="change")  # not completed yet
    kc.complete(fast, p.tsd, when="2026-11-22T15:00")
    kc.complete(slow, p.tsd, when="2026-11-22T15:00")
    limits = {"install": 5, "fault": 0, "change": 2}
    mine = [r for r in (fast, slow) if r.status == "closed" and
            datetime.fromisoformat(r.values["completed_at"]).date().toordinal()
            <= datetime.fromisoformat(r.values["notified_at"]).date().toordinal() + limits[r.values["request_type"]]]
    val = indicators.month_values("2026-11")["keycust_on_time"]
    assert (val.numerator, val.denominator) == (len(mine), 3) == (1, 3)
    assert indicators.month_values("2026-11", "TSD")["keycust_on_time"].value == Decimal("33.3")


def test_da01_billing_tests_passed_and_calibrations_on_time(app):
    s = Staff()
    swt, swt_head = F.user("technician", "SWT"), F.user("department_head", "SWT")
    timeutil.set_clock(at(11, 12))
    meter = register(s.tech, asset_no="SWT-1", custodian_department="SWT")
    switch = register_switch(swt)
    base = {"switch": switch.number, "test_month": "2026-11", "tested_on": "2026-11-02", "instrument": f"#{meter.id}",
            "calls_tested": "20000"}
    made = []
    for correct, reviewed in (("19999", True), ("19990", True), ("20000", False)):
        rec = service.create(specs.get("INS-BILLING"), swt, MultiDict({**base, "calls_correct": correct}), "zh_CN")
        db.session.commit()
        sign(rec, swt)
        made.append(sign(rec, swt_head) if reviewed else rec)
    passed = [r for r in made if r.status == "closed" and
              Decimal(r.values["calls_correct"]) * 100 / Decimal(r.values["calls_tested"]) >= Decimal("99.99")]
    val = indicators.month_values("2026-11", "SWT")["billing_passed"]
    assert (val.numerator, val.denominator, val.value) == (len(passed), 2, Decimal("50.0"))
    # Calibrations: one by its due day (Dec 2026), one past it (Oct 2026: 24 months after Oct 2024).
    due_later = register(s.tech, asset_no="TDD-0002", calibrated_on="2025-12-20", interval_months="12")
    overdue = register(s.tech, asset_no="TDD-0003", calibrated_on="2024-10-01", interval_months="24")
    calibrate(s, due_later, on="2026-11-10")
    calibrate(s, overdue, on="2026-11-11")
    val = indicators.month_values("2026-11")["calibration_on_time"]
    assert (val.numerator, val.denominator) == (1, 2)
    # An earlier calibration entered late (September, on time) moves the November one's due day to 2028.
    calibrate(s, overdue, on="2026-09-15")
    assert [(v.numerator, v.denominator) for v in indicators.series("calibration_on_time", ["2026-09", "2026-11"])] \
        == [(1, 1), (2, 2)]


def test_da01_work_orders_done_within_their_limit(app):
    p = wo.People()
    timeutil.set_clock(at(11, 20, 11))
    install = wo.issue(p.clerk, wo.slip(p.clerk))  # 28 days
    repair = wo.issue(p.clerk, wo.slip(p.clerk, business_type="repair", accepted_at="2026-11-20T08:00"),
                      issued_at="2026-11-20T08:30")  # 48 hours
    wo.issue(p.clerk, wo.slip(p.clerk))  # not done yet
    timeutil.set_clock(at(11, 28, 10))
    wo.self_check(install, p.lineman, completed_at="2026-11-21T15:00")
    wo.self_check(repair, p.lineman, completed_at="2026-11-25T15:00")
    done = [r for r in (install, repair) if r.values["completed_at"] <= r.values["due_at"]]
    val = indicators.month_values("2026-11")["workorders_in_limit"]
    assert (val.numerator, val.denominator) == (len(done), 3) == (1, 3)
    assert datetime.fromisoformat(repair.values["due_at"]).replace(tzinfo=SH) < at(11, 25, 15)


def test_da01_the_survey_score_is_the_closed_campaign_s_weighted_total_for_its_year(app):
    p = sv.People()
    camp = sv.campaign(p, year=2026)
    sv.response(p, camp, sv.all_elements(5), phone="13800000001")
    sv.response(p, camp, sv.all_elements(3), phone="13800000002")
    assert indicators.month_values("2026-11")["survey_score"].value is None  # not closed: nothing yet
    sv.close(p, camp)
    total = Decimal(camp.values["total_score"])
    for month in ("2026-01", "2026-11"):  # a yearly indicator: every month of the year reads the year's
        got = indicators.month_values(month)["survey_score"]
        assert (got.denominator, got.value) == (1, total) and total == Decimal("80.00")
    assert indicators.month_values("2025-11")["survey_score"].value is None
    assert indicators.INDICATORS["survey_score"].period == "year"
