"""number allocations (issue #14, IT-07 交换传输放号): one number never allocated twice while live

Revision ID: a7c3e9f1b254
Revises: d7f3a1c5e802
Create Date: 2026-12-03 16:30:00

"""
import sqlalchemy as sa
from alembic import op

import qms.core.timeutil

revision = 'a7c3e9f1b254'
down_revision = 'd7f3a1c5e802'
branch_labels = None
depends_on = None


def upgrade():
    # No backfill: the allocation form (IT-NUM) is new with this revision, so no record holds a number yet.
    op.create_table(
        'number_allocations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('number_key', sa.String(length=40), nullable=False),
        sa.Column('live_key', sa.String(length=40), nullable=True),
        sa.Column('number', sa.String(length=100), nullable=False),
        sa.Column('record_id', sa.Integer(), nullable=False),
        sa.Column('slip_id', sa.Integer(), nullable=True),
        sa.Column('allocated_at', qms.core.timeutil.UTCDateTime(), nullable=True),
        sa.Column('released_at', qms.core.timeutil.UTCDateTime(), nullable=True),
        sa.Column('released_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['record_id'], ['records.id']),
        sa.ForeignKeyConstraint(['slip_id'], ['records.id']),
        sa.ForeignKeyConstraint(['released_by_id'], ['records.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('live_key'),
    )
    op.create_index('ix_number_allocations_key', 'number_allocations', ['number_key', 'id'])
    op.create_index('ix_number_allocations_record', 'number_allocations', ['record_id'])
    op.create_index('ix_number_allocations_slip', 'number_allocations', ['slip_id'])


def downgrade():
    op.drop_index('ix_number_allocations_slip', table_name='number_allocations')
    op.drop_index('ix_number_allocations_record', table_name='number_allocations')
    op.drop_index('ix_number_allocations_key', table_name='number_allocations')
    op.drop_table('number_allocations')
