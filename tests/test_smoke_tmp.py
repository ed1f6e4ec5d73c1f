import time
from tests import factories as F


def test_pages(app, client):
    t = time.time()
    clerk = F.user("clerk")
    F.login(client, clerk)
    for path in ["/", "/forms", "/procedures/", "/procedures/QP-INS", "/r/CS-INQ/", "/r/CS-INQ/new", "/account"]:
        r = client.get(path)
        assert r.status_code == 200, (path, r.get_data(as_text=True)[-3000:])
    rec = F.record(clerk)
    r = client.get(f"/r/CS-INQ/{rec.id}")
    assert r.status_code == 200, r.get_data(as_text=True)[-3000:]
    r = client.get(f"/r/CS-INQ/{rec.id}.pdf")
    assert r.status_code == 200, r.get_data(as_text=True)[-3000:]
    for fmt in ("csv", "xlsx", "pdf"):
        r = client.get(f"/r/CS-INQ/export.{fmt}")
        assert r.status_code == 200, r.get_data(as_text=True)[-3000:]
