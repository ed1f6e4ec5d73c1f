"""department aliases and per-flow contacts

``department_aliases``: the other names of one department (the seeds name one unit two ways:
客户服务中心 / 客户服务部, 终端部 / 终端服务部, 运维部 / 运行维护部, 核算班 / 核算室, 交换室 / 交换传输室).
The departments that exist get those aliases here (``qms.seed`` gives them to the departments it
creates from now on). ``flow_contacts``: the person and phone per flow of a procedure, admin data
(``qms.admin.contacts``), seeded by ``qms init``.

Revision ID: 53cc476faddc
Revises: 437cb8d7f487
Create Date: 2026-12-03 09:35:00

"""
import sqlalchemy as sa
from alembic import op

import qms.core.timeutil

revision = '53cc476faddc'
down_revision = '437cb8d7f487'
branch_labels = None
depends_on = None

# ``qms.seed.ALIASES`` for the departments that existed before this revision (kept here: a migration
# does not import the app).
ALIASES = {"CSD": ("客户服务中心",), "TSD": ("终端部",), "OMD": ("运维部",), "BIL": ("核算班",), "SWT": ("交换室",)}


def upgrade():
    op.create_table(
        'department_aliases',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('department_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=80), nullable=False),
        sa.ForeignKeyConstraint(['department_id'], ['departments.id'], ),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('name'),
    )
    op.create_index(op.f('ix_department_aliases_department_id'), 'department_aliases', ['department_id'], unique=False)
    op.create_table(
        'flow_contacts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('procedure_code', sa.String(length=20), nullable=False),
        sa.Column('flow', sa.String(length=20), nullable=False),
        sa.Column('role_zh', sa.String(length=80), nullable=False),
        sa.Column('role_en', sa.String(length=120), nullable=False),
        sa.Column('person', sa.String(length=120), nullable=False),
        sa.Column('phone', sa.String(length=60), nullable=True),
        sa.Column('department_id', sa.Integer(), nullable=True),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('updated_at', qms.core.timeutil.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['department_id'], ['departments.id'], ),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_flow_contacts_procedure', 'flow_contacts', ['procedure_code', 'position'], unique=False)
    conn = op.get_bind()
    names = {n for (n,) in conn.execute(sa.text("SELECT name_zh FROM departments"))}
    for code, aliases in ALIASES.items():
        dept = conn.execute(sa.text("SELECT id FROM departments WHERE code = :c"), {"c": code}).scalar()
        for alias in aliases:
            if dept is not None and alias not in names:  # an admin may have made it a department of its own
                conn.execute(sa.text("INSERT INTO department_aliases (department_id, name) VALUES (:d, :n)"),
                             {"d": dept, "n": alias})


def downgrade():
    op.drop_index('ix_flow_contacts_procedure', table_name='flow_contacts')
    op.drop_table('flow_contacts')
    op.drop_index(op.f('ix_department_aliases_department_id'), table_name='department_aliases')
    op.drop_table('department_aliases')
