"""customer signatures: the customer's signature (or witnessed refusal) at a workflow step

One append-only row per capture (``records.customer_sign_models.CustomerSignature``): drawn on
the screen, a scan of the signed page, or a refusal with its reason and a staff witness. The file
is stored content-addressed like an attachment; the row keeps its SHA-256. The database refuses
UPDATE and DELETE, as for the signatures. Nothing to backfill: no record had one before.

Revision ID: c5a6e987bc2f
Revises: c41a7e2b9d10
Create Date: 2026-12-03 09:30:00

"""
from alembic import op
import sqlalchemy as sa
import qms.core.timeutil  # noqa: F401  (UTCDateTime columns)


revision = 'c5a6e987bc2f'
down_revision = 'c41a7e2b9d10'
branch_labels = None
depends_on = None

TABLE = "customer_signatures"


def upgrade():
    op.create_table(TABLE,
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('step', sa.String(length=40), nullable=False),
    sa.Column('step_round', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('customer_name', sa.String(length=120), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=True),
    sa.Column('filename', sa.String(length=255), nullable=True),
    sa.Column('content_type', sa.String(length=100), nullable=True),
    sa.Column('size', sa.Integer(), nullable=True),
    sa.Column('refusal_reason', sa.Text(), nullable=True),
    sa.Column('witness_id', sa.Integer(), nullable=True),
    sa.Column('captured_by_id', sa.Integer(), nullable=False),
    sa.Column('captured_at', qms.core.timeutil.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['captured_by_id'], ['users.id'], name=op.f('fk_customer_signatures_captured_by_id_users')),
    sa.ForeignKeyConstraint(['record_id'], ['records.id'], name=op.f('fk_customer_signatures_record_id_records')),
    sa.ForeignKeyConstraint(['witness_id'], ['users.id'], name=op.f('fk_customer_signatures_witness_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_customer_signatures'))
    )
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.create_index('ix_customer_signatures_record_step', ['record_id', 'step', 'id'], unique=False)
    _append_only(TABLE)


def _append_only(table: str) -> None:
    """Refuse UPDATE and DELETE on ``table`` in SQLite and PostgreSQL (as for the signatures)."""
    if op.get_bind().dialect.name == "sqlite":
        for ev in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{ev.lower()} BEFORE {ev} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {ev} refused'); END"
            )
    else:
        op.execute(
            f"CREATE OR REPLACE FUNCTION {table}_append_only() RETURNS trigger AS $$ "
            f"BEGIN RAISE EXCEPTION '{table} is append-only: % refused', TG_OP; END; $$ LANGUAGE plpgsql"
        )
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {table}_append_only()"
        )
        op.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {table}_append_only()"
        )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE}")
        op.execute(f"DROP TRIGGER IF EXISTS {TABLE}_no_truncate ON {TABLE}")
        op.execute(f"DROP FUNCTION IF EXISTS {TABLE}_append_only()")
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.drop_index('ix_customer_signatures_record_step')
    op.drop_table(TABLE)
