"""desk: the reply date a department owes (the reply-overdue filter, CA-02)

``capa_nc_desk.reply_due_on`` holds the latest CAPA round's reply date while its department still
owes the reply (the round waits at accept, correct, cause or plan), else nothing; a partial index
serves the desk's "reply overdue" filter. Existing rows are filled from their rounds.

Revision ID: c41a7e2b9d10
Revises: 7364e401c21d
Create Date: 2026-12-03 08:10:00

"""
import json

from alembic import op
import sqlalchemy as sa


revision = 'c41a7e2b9d10'
down_revision = '7364e401c21d'
branch_labels = None
depends_on = None

REPLY_STEPS = ("accept", "correct", "cause", "plan")  # kept here: a migration does not import the app


def upgrade():
    with op.batch_alter_table('capa_nc_desk', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reply_due_on', sa.Date(), nullable=True))
        batch_op.create_index('ix_nc_desk_reply', ['reply_due_on', 'department_id'], unique=False,
                              sqlite_where=sa.text('reply_due_on IS NOT NULL'),
                              postgresql_where=sa.text('reply_due_on IS NOT NULL'))
    conn = op.get_bind()
    rows = conn.execute(sa.text(
        "SELECT d.nc_id, r.data FROM capa_nc_desk d JOIN records r ON r.id = d.capa_id "
        "WHERE r.status = 'in_progress' AND r.current_step IN ('accept', 'correct', 'cause', 'plan')")).all()
    for nc_id, data in rows:
        due = json.loads(data or "{}").get("reply_due_on")
        if due:
            conn.execute(sa.text("UPDATE capa_nc_desk SET reply_due_on = :d WHERE nc_id = :i"),
                         {"d": due, "i": nc_id})


def downgrade():
    with op.batch_alter_table('capa_nc_desk', schema=None) as batch_op:
        batch_op.drop_index('ix_nc_desk_reply')
        batch_op.drop_column('reply_due_on')
