"""traceability facilities and materials (issue #14, IT-04, IT-05): facility status and its events,
the long-repair setting and the warehouse's segregation areas

Revision ID: d7f3a1c5e802
Revises: c1e5a7b9d246
Create Date: 2026-12-03 16:10:00

"""
import sqlalchemy as sa
from alembic import op

import qms.core.timeutil

revision = 'd7f3a1c5e802'
down_revision = 'c1e5a7b9d246'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'trace_facilities',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('number', sa.String(length=60), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('facility_type', sa.String(length=20), nullable=False),
        sa.Column('location', sa.String(length=200), nullable=False),
        sa.Column('department_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('maint_record_id', sa.Integer(), nullable=True),
        sa.Column('since_at', qms.core.timeutil.UTCDateTime(), nullable=True),
        sa.Column('updated_at', qms.core.timeutil.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['department_id'], ['departments.id']),
        sa.ForeignKeyConstraint(['id'], ['records.id']),
        sa.ForeignKeyConstraint(['maint_record_id'], ['records.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_trace_facilities_status', 'trace_facilities', ['status', 'since_at'], unique=False)
    op.create_table(
        'trace_facility_events',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('facility_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=24), nullable=False),
        sa.Column('record_id', sa.Integer(), nullable=False),
        sa.Column('number', sa.String(length=60), nullable=False),
        sa.Column('occurred_at', qms.core.timeutil.UTCDateTime(), nullable=True),
        sa.Column('summary', sa.String(length=300), nullable=False),
        sa.Column('at', qms.core.timeutil.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['facility_id'], ['trace_facilities.id']),
        sa.ForeignKeyConstraint(['record_id'], ['records.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_trace_facility_events_file', 'trace_facility_events', ['facility_id', 'id'], unique=False)
    op.create_index('uq_trace_facility_events_record', 'trace_facility_events', ['record_id', 'kind'], unique=True)
    op.create_table(
        'trace_settings',
        sa.Column('name', sa.String(length=40), nullable=False),
        sa.Column('value', sa.String(length=200), nullable=False),
        sa.Column('changed_by_id', sa.Integer(), nullable=True),
        sa.Column('changed_at', qms.core.timeutil.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['changed_by_id'], ['users.id']),
        sa.PrimaryKeyConstraint('name'),
    )
    op.create_table(
        'trace_areas',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=60), nullable=False),
        sa.Column('note', sa.String(length=200), nullable=False),
        sa.Column('in_use', sa.Boolean(), nullable=False),
        sa.Column('changed_by_id', sa.Integer(), nullable=True),
        sa.Column('changed_at', qms.core.timeutil.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['changed_by_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('name'),
    )
    # The seed names no segregation area: three defaults the administrator renames or switches off
    # (qms.traceability.materials_areas.DEFAULT_AREAS).
    areas = sa.table('trace_areas', sa.column('name', sa.String), sa.column('note', sa.String),
                     sa.column('in_use', sa.Boolean))
    op.bulk_insert(areas, [
        {'name': '退换品区', 'note': '仓库东侧,退换货物待供应商取回', 'in_use': True},
        {'name': '报废品区', 'note': '仓库西北角,待报废处理', 'in_use': True},
        {'name': '待处理品区', 'note': '仓库门口左侧,待申购部门决定', 'in_use': True},
    ])


def downgrade():
    op.drop_table('trace_areas')
    op.drop_table('trace_settings')
    op.drop_index('uq_trace_facility_events_record', table_name='trace_facility_events')
    op.drop_index('ix_trace_facility_events_file', table_name='trace_facility_events')
    op.drop_table('trace_facility_events')
    op.drop_index('ix_trace_facilities_status', table_name='trace_facilities')
    op.drop_table('trace_facilities')
