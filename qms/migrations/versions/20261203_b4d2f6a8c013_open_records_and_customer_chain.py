"""complaints desk at speed (issue #13): a partial index of the open records, and the customer
index's chain of a phone number's complaints (``prev_at``: when the customer's previous complaint
of the form's group was made)

Revision ID: b4d2f6a8c013
Revises: a7c3e9d1f024
Create Date: 2026-12-03 16:00:00

"""
import json

import sqlalchemy as sa
from alembic import op

import qms.core.timeutil

revision = 'b4d2f6a8c013'
down_revision = 'a7c3e9d1f024'
branch_labels = None
depends_on = None

OPEN = "status = 'in_progress'"
CHAINED = "prev_at IS NOT NULL"
# The forms that declare `group: complaint` as of this revision (later changes: `qms init` rebuilds).
GROUP = ("CS-INQ", "TS-FEE", "CS-NET")


def upgrade():
    op.create_index("ix_records_open", "records", ["form_code", "department_id", "current_step", "due_on"],
                    sqlite_where=sa.text(OPEN), postgresql_where=sa.text(OPEN))
    with op.batch_alter_table("customer_entries") as batch_op:
        batch_op.add_column(sa.Column("prev_at", qms.core.timeutil.UTCDateTime(), nullable=True))
    op.create_index("ix_customer_entries_prev", "customer_entries", ["prev_at", "form_code", "phone_key"],
                    sqlite_where=sa.text(CHAINED), postgresql_where=sa.text(CHAINED))
    bind = op.get_bind()
    codes = ", ".join(f"'{c}'" for c in GROUP)
    bind.execute(sa.text(
        f"UPDATE customer_entries SET prev_at = (SELECT max(e.at) FROM customer_entries e "
        f"WHERE e.phone_key = customer_entries.phone_key AND e.form_code IN ({codes}) "
        f"AND (e.at < customer_entries.at OR (e.at = customer_entries.at AND e.record_id < customer_entries.record_id))) "
        f"WHERE form_code IN ({codes}) AND phone_key IS NOT NULL"))
    # The stored declarations say the group too, so that `qms init` does not rebuild what is chained here.
    for code, decl in bind.execute(sa.text(f"SELECT form_code, declaration FROM customer_forms "
                                           f"WHERE form_code IN ({codes})")).all():
        d = json.loads(decl)
        if d.get("phone") and "group" not in d:
            d["group"] = "complaint"
            bind.execute(sa.text("UPDATE customer_forms SET declaration = :d WHERE form_code = :c"),
                         {"d": json.dumps(d, sort_keys=True), "c": code})


def downgrade():
    op.drop_index("ix_customer_entries_prev", table_name="customer_entries")
    with op.batch_alter_table("customer_entries") as batch_op:
        batch_op.drop_column("prev_at")
    op.drop_index("ix_records_open", table_name="records")
