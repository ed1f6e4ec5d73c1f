"""One permission policy: role x action per form, department scope."""
from qms.records import policy
from qms.records import spec as specs
from tests import factories as F


def test_role_by_action_from_the_declaration(app):
    spec = specs.get("TEST-REC")
    clerk, tech, quality = F.user("clerk"), F.user("technician", "TDD"), F.user("quality_manager", "EMD")
    assert policy.can(clerk, "create", spec)
    assert not policy.can(tech, "create", spec)
    assert not policy.can(quality, "create", spec)


def test_department_scope(app, client):
    clerk = F.user("clerk", "CSD")
    rec = F.record(clerk, "TEST-REC")
    outsider = F.user("clerk", "TDD")
    quality = F.user("quality_manager", "EMD")
    c2 = app.test_client()
    F.login(c2, outsider)
    assert c2.get(f"/r/TEST-REC/{rec.id}").status_code == 403
    assert rec.display_number not in c2.get("/r/TEST-REC/").get_data(as_text=True)
    c3 = app.test_client()
    F.login(c3, quality)
    assert c3.get(f"/r/TEST-REC/{rec.id}").status_code == 200
    assert f"/r/TEST-REC/{rec.id}" in c3.get("/r/TEST-REC/").get_data(as_text=True)


def test_admin_pages_only_for_admin(app, client):
    clerk, admin = F.user("clerk"), F.user("admin")
    F.login(client, clerk)
    assert client.get("/admin/users").status_code == 403
    assert client.get("/audit/").status_code == 403
    c2 = app.test_client()
    F.login(c2, admin)
    assert c2.get("/admin/users").status_code == 200
    assert c2.get("/admin/departments").status_code == 200


def test_quality_office_sees_the_global_audit_trail(app, client):
    quality = F.user("quality_manager", "EMD")
    F.login(client, quality)
    html = client.get("/audit/?action=login").get_data(as_text=True)
    assert quality.full_name in html
    assert client.get("/audit/?from=not-a-date").status_code == 422


def test_steps_signed_from_another_department_open_the_record_to_those_signers(app, client):
    """TEST-STEPS (as CP-PBX): 客户服务部 accepts the application, a technician of 技术发展部 inspects on site."""
    from werkzeug.datastructures import MultiDict

    from qms.extensions import db
    from qms.records import service
    clerk, tech = F.user("clerk", "CSD"), F.user("technician", "TDD")
    spec = specs.get("TEST-STEPS")
    rec = service.create(spec, clerk, MultiDict({"customer_name": "港湾实业", "capacity_lines": "64"}), "zh_CN")
    db.session.commit()
    F.login(client, tech)
    assert client.get(f"/r/TEST-STEPS/{rec.id}").status_code == 403  # a draft of another department
    service.sign(rec, clerk, F.PASSWORD)
    db.session.commit()
    assert client.get(f"/r/TEST-STEPS/{rec.id}").status_code == 200  # now waiting for an inspector
    assert rec.number in client.get("/").get_data(as_text=True)  # on the technician's home page
    page = client.get(f"/r/TEST-STEPS/{rec.id}/edit").get_data(as_text=True)
    assert 'id="f_inspected_on"' in page and 'id="f_customer_name"' not in page  # only this step's fields
    service.update(rec, tech, MultiDict({"inspected_on": "2026-11-21", "inspection_result": "pass"}), "zh_CN",
                   rec.version)
    service.sign(rec, tech, F.PASSWORD)
    db.session.commit()
    assert client.get(f"/r/TEST-STEPS/{rec.id}").status_code == 200  # a signer keeps sight of what they signed
    other_tech = app.test_client()
    F.login(other_tech, F.user("technician", "TDD"))
    assert other_tech.get(f"/r/TEST-STEPS/{rec.id}").status_code == 403  # no longer waiting for technicians


def test_a_step_routed_to_the_chosen_department(app):
    """TEST-ROUTE (as CS-KEY 承办部门完成): only the department chosen in 承办部门 acts, and not the submitter."""
    from werkzeug.datastructures import MultiDict

    from qms.extensions import db
    from qms.records import service
    clerk = F.user("clerk", "CSD")
    rec = service.create(specs.get("TEST-ROUTE"), clerk, MultiDict({
        "request": "新增分机", "target_department": "OMD"}), "zh_CN")
    service.sign(rec, clerk, F.PASSWORD)
    db.session.commit()
    spec = specs.get("TEST-ROUTE")
    assert policy.signable_step(clerk, spec, rec) is None
    assert policy.signable_step(F.user("technician", "TDD"), spec, rec) is None
    assert policy.signable_step(F.user("clerk", "OMD"), spec, rec).name == "complete"


def test_attachments_can_be_added_while_a_record_is_in_progress(app):
    from qms.extensions import db
    from qms.records import service
    clerk, head = F.user("clerk"), F.user("department_head")
    rec = F.record(clerk, "TEST-REC")
    service.sign(rec, clerk, F.PASSWORD)
    db.session.commit()
    spec = specs.get("TEST-REC")
    assert policy.can(head, "attach", spec, rec) and policy.can(clerk, "attach", spec, rec)
