"""customer-property register (issue #14, CP-01): the items customers supply and their state
events

Revision ID: c1e5a7b9d246
Revises: b4d2f6a8c013
Create Date: 2026-12-03 16:10:00

"""
import sqlalchemy as sa
from alembic import op

import qms.core.timeutil

revision = 'c1e5a7b9d246'
down_revision = 'b4d2f6a8c013'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'customer_property',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=20), nullable=False),
        sa.Column('kind', sa.String(length=30), nullable=False),
        sa.Column('customer_name', sa.String(length=200), nullable=False),
        sa.Column('phone', sa.String(length=100), nullable=False),
        sa.Column('phone_key', sa.String(length=40), nullable=True),
        sa.Column('model', sa.String(length=120), nullable=False),
        sa.Column('licence_no', sa.String(length=60), nullable=False),
        sa.Column('location', sa.String(length=300), nullable=False),
        sa.Column('state', sa.String(length=20), nullable=False),
        sa.Column('department_id', sa.Integer(), nullable=False),
        sa.Column('source_record_id', sa.Integer(), nullable=False),
        sa.Column('source_key', sa.String(length=40), nullable=False),
        sa.Column('state_record_id', sa.Integer(), nullable=True),
        sa.Column('state_since', qms.core.timeutil.UTCDateTime(), nullable=True),
        sa.Column('created_at', qms.core.timeutil.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['department_id'], ['departments.id']),
        sa.ForeignKeyConstraint(['source_record_id'], ['records.id']),
        sa.ForeignKeyConstraint(['state_record_id'], ['records.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('code'),
        sa.UniqueConstraint('source_record_id', 'source_key', name='uq_customer_property_source'),
    )
    op.create_index('ix_customer_property_phone', 'customer_property', ['phone_key', 'id'])
    op.create_index('ix_customer_property_state', 'customer_property', ['state', 'kind', 'id'])
    op.create_index('ix_customer_property_kind', 'customer_property', ['kind', 'id'])
    op.create_table(
        'customer_property_events',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('item_id', sa.Integer(), nullable=False),
        sa.Column('at', qms.core.timeutil.UTCDateTime(), nullable=True),
        sa.Column('state_from', sa.String(length=20), nullable=True),
        sa.Column('state_to', sa.String(length=20), nullable=False),
        sa.Column('record_id', sa.Integer(), nullable=True),
        sa.Column('by_id', sa.Integer(), nullable=True),
        sa.Column('note', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['item_id'], ['customer_property.id']),
        sa.ForeignKeyConstraint(['record_id'], ['records.id']),
        sa.ForeignKeyConstraint(['by_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_customer_property_events_item', 'customer_property_events', ['item_id', 'id'])
    op.create_index('ix_customer_property_events_record', 'customer_property_events', ['record_id'])


def downgrade():
    op.drop_index('ix_customer_property_events_record', table_name='customer_property_events')
    op.drop_index('ix_customer_property_events_item', table_name='customer_property_events')
    op.drop_table('customer_property_events')
    op.drop_index('ix_customer_property_kind', table_name='customer_property')
    op.drop_index('ix_customer_property_state', table_name='customer_property')
    op.drop_index('ix_customer_property_phone', table_name='customer_property')
    op.drop_table('customer_property')
