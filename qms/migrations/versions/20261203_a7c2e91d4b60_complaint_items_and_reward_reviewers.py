"""complaint item catalogue and reward reviewers (CS-12)

``complaint_items``: the 74-item catalogue of the complaint reward scheme, versioned (a row is valid
from ``version_from`` to ``version_to``), admin data (``qms.complaints.catalogue``) seeded by
``qms init``. ``reward_reviewers``: each department's designated reward reviewer (第七条).

Revision ID: a7c2e91d4b60
Revises: a7c15e0f3b21
Create Date: 2026-12-03 12:40:00

"""
import sqlalchemy as sa
from alembic import op

import qms.core.timeutil

revision = 'a7c2e91d4b60'
down_revision = 'a7c15e0f3b21'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'complaint_items',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('number', sa.String(length=12), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('category_zh', sa.String(length=60), nullable=False),
        sa.Column('category_en', sa.String(length=120), nullable=False),
        sa.Column('text', sa.String(length=400), nullable=False),
        sa.Column('grade', sa.String(length=12), nullable=False),
        sa.Column('cause', sa.String(length=12), nullable=False),
        sa.Column('mobile', sa.Boolean(), nullable=False),
        sa.Column('in_use', sa.Boolean(), nullable=False),
        sa.Column('version_from', sa.Integer(), nullable=False),
        sa.Column('version_to', sa.Integer(), nullable=True),
        sa.Column('changed_by_id', sa.Integer(), nullable=True),
        sa.Column('changed_at', qms.core.timeutil.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['changed_by_id'], ['users.id'], ),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_complaint_items_current', 'complaint_items', ['version_to', 'number'], unique=False)
    op.create_table(
        'reward_reviewers',
        sa.Column('department_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('updated_at', qms.core.timeutil.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['department_id'], ['departments.id'], ),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ),
        sa.PrimaryKeyConstraint('department_id'),
    )


def downgrade():
    op.drop_table('reward_reviewers')
    op.drop_index('ix_complaint_items_current', table_name='complaint_items')
    op.drop_table('complaint_items')
