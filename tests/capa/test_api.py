"""The nonconformity/CAPA flow over the JSON API: the same rules as the web, refusals as 422 with
the reason. covers: CA-01, CA-02"""
from tests import factories as F
from tests.support.api import token_for
from tests.support.clock import clock


def test_ca02_flow_over_the_api_with_refusals(app, client, people):
    p = people
    clock(11, 2)
    hc, hh, hq = token_for(p.clerk), token_for(p.head), token_for(p.quality)

    def post(path, body, who, status=200):
        resp = client.post(path, json=body, headers=who)
        assert resp.status_code == status, resp.json
        return resp.json

    def patch(rid, values, who, status=200):
        version = client.get(f"/api/v1/records/{rid}", headers=who).json["version"]
        resp = client.patch(f"/api/v1/records/{rid}", json={"values": values, "version": version}, headers=who)
        assert resp.status_code == status, resp.json
        return resp.json

    def sign(rid, who, status=200):
        return post(f"/api/v1/records/{rid}/sign", {"password": F.PASSWORD}, who, status)

    bad = post("/api/v1/forms/CA-NC/records", {"values": {"source": "weather", "severity": "minor"}}, hc, 422)
    assert {"source", "found_on", "description"} <= set(bad["fields"])
    nc = post("/api/v1/forms/CA-NC/records", {"values": {
        "source": "complaint", "severity": "general", "found_on": "2026-11-02", "description": "投诉处理超时"}}, hc, 201)
    nc = sign(nc["id"], hc)
    assert nc["status"] == "in_progress" and nc["number"].startswith("BHG-")
    capa = post("/api/v1/forms/CA-CAPA/records", {"department_id": p.clerk.department_id, "values": {
        "nonconformity": nc["number"], "finding": "投诉处理超时", "reply_due_on": "2026-11-12",
        "verify_after_days": 30}}, hq, 201)
    # A clerk cannot issue a CAPA record.
    post("/api/v1/forms/CA-CAPA/records", {"values": {"nonconformity": nc["number"]}}, hc, 403)
    capa = sign(capa["id"], hq)
    sign(capa["id"], hh)
    patch(capa["id"], {"correction": "当日回访客户", "corrected_on": "2026-11-03"}, hc)
    sign(capa["id"], hc)
    patch(capa["id"], {"why_1": "工单未跟踪", "cause_category": "method", "root_cause": "缺少超时提醒"}, hh)
    sign(capa["id"], hh)
    refused = sign(capa["id"], hh, 422)  # the plan needs at least one action
    assert "action" in refused["error"] or "措施" in refused["error"]
    act = post("/api/v1/forms/CA-ACTION/records", {"values": {
        "capa": capa["number"], "kind": "corrective", "description": "增加超时提醒", "owner": p.clerk.id,
        "due_on": "2026-11-20"}}, hh, 201)
    sign(act["id"], hh)
    sign(capa["id"], hh)
    sign(act["id"], hh, 422)  # only the owner signs it done
    patch(act["id"], {"done_on": "2026-11-10", "evidence": "已上线提醒"}, hc)
    assert sign(act["id"], hc)["status"] == "closed"
    patch(capa["id"], {"implemented_on": "2026-11-10", "implementation_summary": "见附件"}, hh)
    sign(capa["id"], hh)
    patch(capa["id"], {"verified_on": "2026-12-11", "effective": "yes", "verification_note": "无再发"}, hq)
    early = sign(capa["id"], hq, 422)
    assert "2026-12-10" in early["error"]
    clock(12, 11)
    assert sign(capa["id"], hq)["status"] == "closed"
    patch(nc["id"], {"close_note": "有效,关闭"}, hq)
    assert sign(nc["id"], hq)["status"] == "closed"
