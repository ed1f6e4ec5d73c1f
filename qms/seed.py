"""Reference data: the departments named in the procedures, and demo users (demo only)."""
from __future__ import annotations

from sqlalchemy import select

from .auth.models import Department, User
from .auth.roles import (
    ADMIN,
    CLERK,
    DEPARTMENT_HEAD,
    GENERAL_MANAGER,
    QUALITY_MANAGER,
    TECHNICIAN,
)
from .extensions import db

DEPARTMENTS = [
    ("CSD", "客户服务部", "Customer Service Department"),
    ("TSD", "终端服务部", "Terminal Service Department"),
    ("TDD", "技术发展部", "Technical Development Department"),
    ("EMD", "企业管理部", "Enterprise Management Department (quality office)"),
    ("OMD", "运行维护部", "Operations & Maintenance Department"),
    ("FIN", "财务部", "Finance Department"),
    ("ITN", "电脑网络部", "IT & Network Department"),
    ("AHR", "行政人事部", "Administration & HR Department"),
    ("SWT", "交换传输室", "Switching & Transmission Room"),
    ("BIL", "核算室", "Billing & Accounting Office"),
    ("C180", "180投诉中心", "180 Complaint Centre"),
    ("LDR", "公司领导", "Company leadership"),
]

# DEMO ONLY: known passwords so a newcomer can log in. Never use on a real installation.
DEMO_USERS = [
    ("clerk", "王静", "CSD", CLERK, "demo-clerk-2026"),
    ("tech", "李强", "TDD", TECHNICIAN, "demo-tech-2026"),
    ("tdhead", "孙涛", "TDD", DEPARTMENT_HEAD, "demo-tdhead-2026"),
    ("swt", "周工", "SWT", TECHNICIAN, "demo-swt-2026"),
    ("swthead", "郑敏", "SWT", DEPARTMENT_HEAD, "demo-swthead-2026"),
    ("head", "张明", "CSD", DEPARTMENT_HEAD, "demo-head-2026"),
    ("quality", "陈芳", "EMD", QUALITY_MANAGER, "demo-quality-2026"),
    ("gm", "刘伟", "LDR", GENERAL_MANAGER, "demo-gm-2026"),
    ("admin", "赵磊", "AHR", ADMIN, "demo-admin-2026"),
]


def departments() -> int:
    """Insert the departments that are missing; existing ones (maybe renamed by an admin) stay."""
    have = set(db.session.execute(select(Department.code)).scalars())
    added = 0
    for code, zh, en in DEPARTMENTS:
        if code not in have:
            db.session.add(Department(code=code, name_zh=zh, name_en=en, active=True))
            added += 1
    db.session.flush()
    return added


def demo_users() -> list[tuple[str, str, str, str]]:
    """Create the demo users that do not exist; returns (username, name, role, password) of all."""
    depts = {d.code: d.id for d in db.session.execute(select(Department)).scalars()}
    out = []
    for username, name, dept, role, password in DEMO_USERS:
        if not db.session.execute(select(User.id).where(User.username == username)).first():
            u = User(username=username, full_name=name, department_id=depts[dept], role=role,
                     email=f"{username}@qms.local")
            u.set_password(password)
            db.session.add(u)
        out.append((username, name, role, password))
    db.session.flush()
    return out
