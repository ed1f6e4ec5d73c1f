"""zh_CN (default) and en complete; choice remembered; times in the configured timezone."""
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.pofile import read_po

from qms.core import timeutil
from qms.extensions import db
from qms.records import spec as specs
from tests import factories as F

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "qms" / "translations" / "zh_Hans_CN" / "LC_MESSAGES" / "messages.po"


def test_every_ui_string_has_a_chinese_translation(tmp_path):
    pot = tmp_path / "messages.pot"
    from babel.messages.frontend import CommandLineInterface
    CommandLineInterface().run(["pybabel", "-q", "extract", "-F", str(ROOT / "babel.cfg"), "-k", "_l",
                                "-k", "lazy_gettext", "-o", str(pot), str(ROOT)])
    with pot.open("rb") as fh:
        wanted = {m.id for m in read_po(fh) if m.id}
    assert len(wanted) > 150  # the extraction really found the UI strings
    with PO.open("rb") as fh:
        catalog = read_po(fh)
    have = {m.id: m for m in catalog if m.id}
    missing = sorted(i if isinstance(i, str) else i[0] for i in wanted if i not in have or not have[i].string
                     or have[i].fuzzy)
    assert not missing, "untranslated strings (run pybabel update and translate): " + "; ".join(missing[:20])


def test_every_declaration_is_bilingual(app):
    for spec in specs.all_specs():
        for text in [spec.title] + [f.label for f in spec.fields] + [s.label for s in spec.workflow]:
            assert text["zh"] and text["en"], spec.code


def test_language_choice_is_remembered_on_the_account(app, client):
    u = F.user("clerk")
    F.login(client, u)
    assert "首页" in client.get("/").get_data(as_text=True)
    client.post("/language/en", data={"csrf_token": F.csrf(client, "/"), "next": "/"})
    db.session.expire_all()
    assert db.session.get(type(u), u.id).locale == "en"
    again = app.test_client()
    F.login(again, u)
    html = again.get("/").get_data(as_text=True)
    assert "Waiting for you" in html and "待办事项" not in html


def test_times_are_shown_in_the_configured_timezone(app, client):
    timeutil.set_clock(datetime(2026, 11, 22, 1, 30, tzinfo=UTC))  # 09:30 in Shanghai
    try:
        clerk = F.user("clerk")
        rec = F.record(clerk, "TEST-REC")
        F.login(client, clerk)
        assert "2026-11-22 09:30" in client.get(f"/r/TEST-REC/{rec.id}").get_data(as_text=True)
        app.config["QMS_TIMEZONE"] = "UTC"
        assert "2026-11-22 01:30" in client.get(f"/r/TEST-REC/{rec.id}").get_data(as_text=True)
    finally:
        timeutil.set_clock(None)
