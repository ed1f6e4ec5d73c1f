"""Controlled procedures: loaded from procedures/, steps link to forms, revisions kept.
covers: REC-01"""
import shutil

from qms.documents import loader
from qms.extensions import db
from tests import factories as F


def test_six_procedures_with_front_matter(app):
    docs = {d.code: d for d in loader.current_all()}
    assert {"QP-CS", "QP-CP", "QP-IT", "QP-INS", "QP-DA", "QP-TS"} <= set(docs)
    for d in docs.values():
        for key in ("code", "revision", "effective_date", "iso_clauses", "owner_department", "forms", "steps"):
            assert d.meta.get(key) is not None, (d.code, key)
        assert "目的" in d.body and "Purpose" in d.body


def test_steps_link_to_forms_and_forms_back_to_procedure(app, client):
    clerk = F.user("clerk")
    F.login(client, clerk)
    html = client.get("/procedures/QP-CS").get_data(as_text=True)
    assert "/r/CS-INQ/" in html and "电子文件编码" in html
    rec = F.record(clerk)
    assert "/procedures/QP-CS" in client.get(f"/r/CS-INQ/{rec.id}").get_data(as_text=True)


def test_changed_file_becomes_new_revision_old_stays_readable(app, client, tmp_path):
    folder = tmp_path / "procedures"
    shutil.copytree(app.config["QMS_PROCEDURES_DIR"], folder)
    p = folder / "QP-INS.md"
    original = p.read_text(encoding="utf-8")
    p.write_text(original.replace("revision: A", "revision: B", 1) + "\n修订说明：测试。\n", encoding="utf-8")
    assert loader.sync(folder) == ["procedure QP-INS revision B (load #2)"]
    db.session.commit()
    assert loader.sync(folder) == []
    revs = loader.revisions("QP-INS")
    assert [r.revision for r in revs] == ["B", "A"]
    F.login(client, F.user("clerk"))
    assert "修订说明" in client.get("/procedures/QP-INS").get_data(as_text=True)
    old = client.get("/procedures/QP-INS/rev/1").get_data(as_text=True)
    assert "修订说明" not in old and "旧版本" in old or "old revision" in old
    assert client.get("/procedures/QP-INS/rev/9").status_code == 404


def test_a_revision_loaded_before_its_effective_date_waits(app, client, tmp_path):
    folder = tmp_path / "procedures"
    shutil.copytree(app.config["QMS_PROCEDURES_DIR"], folder)
    p = folder / "QP-DA.md"
    text = p.read_text(encoding="utf-8")
    import re
    p.write_text(re.sub(r"effective_date: .*", "effective_date: 2030-01-01", text.replace("revision: A", "revision: B", 1),
                        count=1) + "\n将来版本。\n", encoding="utf-8")
    loader.sync(folder)
    db.session.commit()
    loader.reset_cache()
    assert loader.current("QP-DA").revision == "A"
    F.login(client, F.user("clerk"))
    assert "将来版本" not in client.get("/procedures/QP-DA").get_data(as_text=True)
    future = client.get("/procedures/QP-DA/rev/2").get_data(as_text=True)
    assert "2030-01-01" in future and "起生效" in future
