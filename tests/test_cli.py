"""The qms command: init is idempotent, backup and restore, user management (the demo: tests/test_demo.py)."""
import pytest
from sqlalchemy import func, select

from qms.auth.models import Department
from qms.extensions import db
from qms.records.models import Record
from qms.seed import DEPARTMENTS
from tests import factories as F


def test_init_twice_keeps_data(app):
    runner = app.test_cli_runner()
    F.record(F.user("clerk"), "TEST-REC")
    result = runner.invoke(args=["init"])
    assert result.exit_code == 0, result.output
    assert db.session.execute(select(func.count()).select_from(Record)).scalar() == 1
    assert db.session.execute(select(func.count()).select_from(Department)).scalar() == len(DEPARTMENTS)


def test_user_commands(app):
    runner = app.test_cli_runner()
    r = runner.invoke(args=["user", "create", "zhangsan", "--name", "张三", "--department", "TDD",
                            "--role", "technician", "--password", "long-enough-pw"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(args=["user", "create", "zhangsan", "--name", "x", "--department", "TDD",
                            "--role", "technician", "--password", "long-enough-pw"])
    assert r.exit_code != 0 and "username" in r.output and "不可重复使用" in r.output
    r = runner.invoke(args=["user", "deactivate", "zhangsan", "--reason", "调岗"])
    assert r.exit_code == 0
    assert "inactive" in runner.invoke(args=["user", "list"]).output


def test_backup_and_restore_roundtrip(app, tmp_path, backend):
    import shutil
    if backend == "postgresql" and not shutil.which("pg_dump"):
        pytest.skip("pg_dump not installed")
    runner = app.test_cli_runner()
    clerk = F.user("clerk")
    F.record(clerk, "TEST-REC", customer_name="备份前")
    target = tmp_path / "backup.tar.gz"
    r = runner.invoke(args=["backup", str(target)])
    assert r.exit_code == 0, r.output
    F.record(clerk, "TEST-REC", customer_name="备份后")
    db.session.remove()
    r = runner.invoke(args=["restore", str(target)])
    assert r.exit_code != 0  # needs --yes
    r = runner.invoke(args=["restore", str(target), "--yes"])
    assert r.exit_code == 0, r.output
    names = [rec.values["customer_name"] for rec in db.session.execute(select(Record)).scalars()]
    assert names == ["备份前"]
    assert runner.invoke(args=["verify-audit"]).exit_code == 0
