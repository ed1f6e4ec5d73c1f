"""Work orders over the JSON API and the web (CP-WO): the same refusals as the service — a slip never
signed, a device connected without its licence mark, completion in the future, the customer step signed
without the customer's signature — each a field message and a 422, nothing saved; a repair closed over the
API; the register filtered by state, order type and due date; the record page's panel.
covers: CP-03, IT-03"""
import pytest
from sqlalchemy import func, select

from qms.core import timeutil
from qms.extensions import db
from qms.records.models import Record, Status
from tests import factories as F
from tests.customer_property.workorders_helpers import PHONE_ROW, People, issue, self_check, slip
from tests.records.customer_sign_helpers import data_url, drawing
from tests.support.api import token_for
from tests.support.clock import clock


@pytest.fixture
def p(app):
    clock(11, 25, 12)
    yield People()
    timeutil.set_clock(None)


def _api(client, who):
    def call(method, path, body=None, status=200):
        resp = client.open(path, method=method, json=body, headers=who)
        assert resp.status_code == status, resp.json
        return resp.json

    def fill(rid, values, status=200):
        version = call("GET", f"/api/v1/records/{rid}")["version"]
        return call("PATCH", f"/api/v1/records/{rid}", {"values": values, "version": version}, status)

    def sign(rid, status=200):
        return call("POST", f"/api/v1/records/{rid}/sign", {"password": F.PASSWORD}, status)
    return call, fill, sign


def _count():
    return db.session.execute(select(func.count()).select_from(Record).where(Record.form_code == "CP-WO")).scalar()


def test_it03_cp03_a_repair_over_the_api_with_every_bad_input_refused(app, client, p):
    call, _fill, sign = _api(client, token_for(p.clerk))
    unsigned = slip(p.clerk, signed=False, business_type="repair", accepted_at="2026-11-24T08:00")
    bad = call("POST", "/api/v1/forms/CP-WO/records",
               {"values": {"biz_slip": f"#{unsigned.id}", "area": "urban", "issued_at": "2026-11-24T09:00"}}, status=422)
    assert "签字自检" in bad["fields"]["biz_slip"][0]
    biz = slip(p.clerk, business_type="repair", accepted_at="2026-11-24T08:00")
    bad = call("POST", "/api/v1/forms/CP-WO/records",
               {"values": {"biz_slip": biz.number, "area": "urban", "issued_at": "2026-11-26T09:00"}}, status=422)
    assert "issued_at" in bad["fields"]  # in the future
    assert _count() == 0  # nothing half-saved
    made = call("POST", "/api/v1/forms/CP-WO/records",
                {"values": {"biz_slip": biz.number, "area": "rural", "issued_at": "2026-11-24T09:00"}}, status=201)
    rid = made["id"]
    assert made["values"]["order_type"] == "repair" and made["values"]["regulator_due_at"] == "2026-11-27T08:00"
    sign(rid)
    lineman_call, fill, lineman_sign = _api(client, token_for(p.lineman))
    device = {**PHONE_ROW, "licence_mark": "no"}
    bad = fill(rid, {"completed_at": "2026-11-25T10:00", "work_done": "更换话机", "devices": [device]}, status=422)
    assert bad["fields"]["devices"][0].startswith("第1行") and "不得接入" in bad["fields"]["devices"][0]
    bad = fill(rid, {"completed_at": "2026-11-25T13:00", "work_done": "更换话机", "devices": [PHONE_ROW]}, status=422)
    assert "completed_at" in bad["fields"]  # later than now
    got = call("GET", f"/api/v1/records/{rid}")
    assert got["values"].get("devices") is None and got["values"].get("completed_at") is None
    fill(rid, {"completed_at": "2026-11-25T10:00", "work_done": "更换话机", "devices": [PHONE_ROW]})
    lineman_sign(rid)
    fill(rid, {"eval_attitude": "satisfied", "eval_time_limit": "satisfied"})
    refused = lineman_sign(rid, status=422)
    assert "客户签名" in str(refused)
    lineman_call("POST", f"/api/v1/records/{rid}/customer-signature",
         {"kind": "drawn", "customer_name": "珠海海天贸易有限公司", "signature": data_url(drawing())}, status=201)
    lineman_sign(rid)
    _c, head_fill, head_sign = _api(client, token_for(p.tsd_head))
    head_fill(rid, {"inspection_result": "pass"})
    done = head_sign(rid)
    assert done["status"] == Status.CLOSED


def test_it03_the_register_filters_by_state_order_type_and_due_date_and_the_page_shows_the_devices(app, client, p):
    install = issue(p.clerk, slip(p.clerk))
    repair = issue(p.clerk, slip(p.clerk, business_type="repair", accepted_at="2026-11-24T08:00"),
                   issued_at="2026-11-24T08:30")
    self_check(install, p.lineman)
    F.login(client, p.quality)  # company-wide: the department filter too
    page = client.get("/r/CP-WO/").get_data(as_text=True)
    for name in ('name="status"', 'name="order_type"', 'name="due_at_from"', 'name="due_at_to"', 'name="department"'):
        assert name in page, name
    html = client.get("/r/CP-WO/?order_type=repair&status=in_progress&due_at_to=2026-11-30").get_data(as_text=True)
    assert repair.number in html and install.number not in html
    html = client.get("/r/CP-WO/?due_at_from=2026-12-01").get_data(as_text=True)
    assert install.number in html and repair.number not in html
    detail = client.get(f"/r/CP-WO/{install.id}").get_data(as_text=True)
    assert 'id="wo-panel"' in detail and "KC-" in detail and "在用" in detail and "2026-12-18 09:00" in detail
