"""indicators: each record's contribution to the computed indicators and the counts per month (DA-01)

``indicator_parts`` (per record, replaced when it changes) and ``indicator_counts`` (sums per
indicator, month, department and bucket, moved by the difference). Backfilled from the existing records
by the same code the app rebuilds them with (``qms.analysis.indicators_store.rebuild``), run on this
migration's connection.

Revision ID: e8b4d2a6c913
Revises: d7a3c5e9f182
Create Date: 2026-12-03 19:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'e8b4d2a6c913'
down_revision = 'd7a3c5e9f182'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'indicator_parts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('record_id', sa.Integer(), nullable=False),
        sa.Column('indicator', sa.String(length=40), nullable=False),
        sa.Column('month', sa.String(length=7), nullable=False),
        sa.Column('department', sa.String(length=20), nullable=False),
        sa.Column('bucket', sa.String(length=60), nullable=False),
        sa.Column('numerator', sa.Integer(), nullable=False),
        sa.Column('denominator', sa.Integer(), nullable=False),
        sa.Column('form_code', sa.String(length=40), nullable=False),
        sa.Column('owner_department_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['record_id'], ['records.id'], ),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_indicator_parts_record', 'indicator_parts', ['record_id'], unique=False)
    op.create_index('ix_indicator_parts_behind', 'indicator_parts',
                    ['indicator', 'month', 'bucket', 'department', 'record_id'], unique=False)
    op.create_index('ix_indicator_parts_month_id', 'indicator_parts', ['indicator', 'month', 'bucket', 'record_id'],
                    unique=False)
    op.create_table(
        'indicator_counts',
        sa.Column('indicator', sa.String(length=40), nullable=False),
        sa.Column('month', sa.String(length=7), nullable=False),
        sa.Column('department', sa.String(length=20), nullable=False),
        sa.Column('bucket', sa.String(length=60), nullable=False),
        sa.Column('numerator', sa.Integer(), nullable=False),
        sa.Column('denominator', sa.Integer(), nullable=False),
        sa.Column('records', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('indicator', 'month', 'department', 'bucket'),
    )
    op.create_index('ix_indicator_counts_month', 'indicator_counts', ['month', 'bucket', 'indicator'], unique=False)
    _backfill()


def _backfill():
    """The app's rebuild on this connection (inside the app, as ``qms init`` and the tests upgrade);
    without an app the tables stay empty and ``qms init`` rebuilds them."""
    from flask import has_app_context
    if not has_app_context():
        return
    from sqlalchemy.orm import Session

    from qms.analysis.indicators_store import rebuild
    from qms.extensions import db
    conn = op.get_bind()
    if not conn.execute(sa.text("SELECT 1 FROM records LIMIT 1")).first():
        return
    session = Session(bind=conn, join_transaction_mode="create_savepoint")
    db.session.registry.set(session)  # the rebuild's reads and writes go through this migration's connection
    try:
        rebuild()
        session.commit()  # releases the savepoint; the migration's transaction commits it
    finally:
        db.session.registry.clear()
        session.close()


def downgrade():
    op.drop_index('ix_indicator_counts_month', table_name='indicator_counts')
    op.drop_table('indicator_counts')
    op.drop_index('ix_indicator_parts_month_id', table_name='indicator_parts')
    op.drop_index('ix_indicator_parts_behind', table_name='indicator_parts')
    op.drop_index('ix_indicator_parts_record', table_name='indicator_parts')
    op.drop_table('indicator_parts')
