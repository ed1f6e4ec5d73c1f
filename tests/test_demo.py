"""`qms demo`, run once (it takes most of a minute, so every check of what it makes is here): one user per
role, the fee flows and the month's fee summaries (CS-16), a year of every indicator with the kept counts
equal to a rebuild (DA-01), a second run adding nothing, and `qms rebuild-indicators` counting again.
covers: CS-16, DA-01"""
from sqlalchemy import delete, func, select

from qms.analysis import indicators, indicators_store
from qms.analysis.indicators_models import IndicatorCount
from qms.auth.models import User
from qms.extensions import db
from qms.records.models import Record, Status


def test_cs16_da01_the_demo_makes_users_fee_flows_and_a_year_of_indicators(app):
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "DEMO ONLY" in result.output and "demo-quality-2026" in result.output
    roles = set(db.session.execute(select(User.role)).scalars())
    assert roles == {"clerk", "technician", "department_head", "quality_manager", "general_manager", "admin"}
    assert db.session.execute(select(func.count()).select_from(Record)).scalar() >= 3

    # CS-16: every fee flow, some waiting at their steps, and the month's summaries with their totals.
    fees = db.session.execute(select(Record).where(Record.form_code == "TS-FEE")).scalars().all()
    assert {r.values["flow"] for r in fees} == {"ts003", "ts004", "ts005", "ts006", "ts007", "ts008"}
    waiting = {r.current_step for r in fees if r.status == Status.IN_PROGRESS}
    assert {"investigate", "data", "billing"} <= waiting
    assert sum(r.status == Status.CLOSED for r in fees) >= 4
    summaries = db.session.execute(select(Record).where(Record.form_code.in_(
        ("TS-REFUNDS", "TS-REPRICE", "TS-MONTERNET")))).scalars()
    totals = {r.form_code: r.values["total"] for r in summaries}
    assert totals == {"TS-REFUNDS": "37.80", "TS-REPRICE": "33.60", "TS-MONTERNET": "8.00"}

    # DA-01: a year of every indicator, and the counts the hooks kept equal a rebuild from the records.
    months = [f"2026-{m:02d}" for m in range(1, 11)]
    for key in ("complaints", "fee_disputes_24h", "nc_closed_on_time", "keycust_on_time", "billing_passed",
                "workorders_in_limit"):
        assert all(v.denominator for v in indicators.series(key, months)), key
    assert sum(v.denominator for v in indicators.series("calibration_on_time", months)) == 4
    kept = indicators_store.kept_counts()
    assert kept and kept == indicators_store.counts_from_parts()

    again = app.test_cli_runner().invoke(args=["demo"])
    assert "demo records added: 0" in again.output
    # The counts lost (a restore from before they existed) are counted again by the command.
    db.session.execute(delete(IndicatorCount))
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["rebuild-indicators"])
    assert result.exit_code == 0 and "indicator contributions:" in result.output, result.output
    assert indicators_store.kept_counts() == kept
