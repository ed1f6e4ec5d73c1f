"""duties closed by records; the years of the working calendar seeded from a package

``duty_closures``: the signed records that do a calendar duty for a period (a rule's
``closes_with``), kept by the reminders hook. ``calendar_seed_years``: the years whose public
holidays and make-up working days ``qms init`` wrote from chinese-calendar (once per year, so the
admin's later changes stay). Both start empty: no rule declares ``closes_with`` before this
revision, and ``qms init`` seeds the calendar.

Revision ID: 5d1c0e7a9b42
Revises: 53cc476faddc
Create Date: 2026-12-03 09:30:00

"""
from alembic import op
import sqlalchemy as sa
import qms.core.timeutil  # noqa: F401  (UTCDateTime columns)


revision = '5d1c0e7a9b42'
down_revision = '53cc476faddc'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('calendar_seed_years',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('source', sa.String(length=60), nullable=False),
    sa.Column('days', sa.Integer(), nullable=False),
    sa.Column('seeded_at', qms.core.timeutil.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_calendar_seed_years'))
    )
    op.create_table('duty_closures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rule_id', sa.String(length=60), nullable=False),
    sa.Column('period', sa.String(length=20), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('closed_at', qms.core.timeutil.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['record_id'], ['records.id'], name=op.f('fk_duty_closures_record_id_records')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_duty_closures')),
    sa.UniqueConstraint('rule_id', 'record_id', name=op.f('uq_duty_closures_rule_id'))
    )
    with op.batch_alter_table('duty_closures', schema=None) as batch_op:
        batch_op.create_index('ix_duty_closures_period', ['rule_id', 'period'], unique=False)


def downgrade():
    with op.batch_alter_table('duty_closures', schema=None) as batch_op:
        batch_op.drop_index('ix_duty_closures_period')
    op.drop_table('duty_closures')
    op.drop_table('calendar_seed_years')
