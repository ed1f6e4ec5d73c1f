"""customer-property register filters (issue #14, CP-01): a state alone and a department each
answered from an index in id order, so a filter that matches nothing does not walk the table

Revision ID: d7a3c5e9f182
Revises: a7c3e9f1b254
Create Date: 2026-12-03 17:00:00

"""
from alembic import op

revision = 'd7a3c5e9f182'
down_revision = 'a7c3e9f1b254'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_customer_property_state_id', 'customer_property', ['state', 'id'])
    op.create_index('ix_customer_property_department', 'customer_property', ['department_id', 'id'])


def downgrade():
    op.drop_index('ix_customer_property_department', table_name='customer_property')
    op.drop_index('ix_customer_property_state_id', table_name='customer_property')
