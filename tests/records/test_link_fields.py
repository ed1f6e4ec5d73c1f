"""Field types that point at people and at other records (owners, source records), on the mock
form TEST-LINK (tests/records/forms)."""
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from qms.extensions import db
from qms.records import service
from qms.records import spec as specs
from qms.records.models import Record
from tests import factories as F


def test_user_and_record_fields(app, client):
    spec = specs.get("TEST-LINK")
    clerk, tech = F.user("clerk", name="王静"), F.user("technician", "TDD")
    inq = F.record(clerk, "TEST-REC")
    service.sign(inq, clerk, F.PASSWORD)
    db.session.commit()
    # Refused: a record that does not exist, a record of another form, a person of a role not allowed.
    for bad, field in (({"source": "TR-1999-9999", "owner": str(clerk.id)}, "source"),
                       ({"source": inq.number, "owner": str(tech.id)}, "owner")):
        try:
            service.create(spec, clerk, MultiDict(bad), "zh_CN")
            raise AssertionError("accepted a bad link")
        except service.ValidationFailed as exc:
            assert field in exc.errors
        db.session.rollback()
    rec = service.create(spec, clerk, MultiDict({"source": inq.number, "owner": str(clerk.id)}), "zh_CN")
    db.session.commit()
    assert rec.values["source"] == inq.id and rec.values["owner"] == clerk.id
    F.login(client, clerk)
    html = client.get(f"/r/TEST-LINK/{rec.id}").get_data(as_text=True)
    assert inq.number in html and f"/r/TEST-REC/{inq.id}" in html and "王静" in html
    back = client.get(f"/r/TEST-REC/{inq.id}").get_data(as_text=True)
    assert f"/r/TEST-LINK/{rec.id}" in back  # the complaint lists what links to it
    # The edit form round-trips the stored link; the register shows numbers and names.
    assert client.get(f"/r/TEST-LINK/{rec.id}/edit").status_code == 200
    assert inq.number in client.get("/r/TEST-LINK/").get_data(as_text=True)
    assert db.session.execute(select(Record).where(Record.form_code == "TEST-LINK")).scalar_one()
