"""complaints month and desk (issue #13 items 7-8): the customer index by form and time (repeat
customers of the last days, CS-07 desk), and CS-INQ's received-at facet for the records made
before it became a register filter (the month summary counts a month by it)

Revision ID: a7c3e9d1f024
Revises: a7c2e91d4b60
Create Date: 2026-12-03 13:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'a7c3e9d1f024'
down_revision = 'a7c2e91d4b60'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_customer_entries_form_at", "customer_entries", ["form_code", "at", "phone_key", "department_id"])
    bind = op.get_bind()
    value = ("substr(json_extract(r.data, '$.received_at'), 1, 200)" if bind.dialect.name == "sqlite"
             else "substr((r.data::json ->> 'received_at'), 1, 200)")
    bind.execute(sa.text(
        f"INSERT INTO record_facets (record_id, form_code, field, value) "
        f"SELECT r.id, r.form_code, 'received_at', {value} FROM records r "
        f"WHERE r.form_code = 'CS-INQ' AND {value} IS NOT NULL AND {value} <> '' "
        f"AND NOT EXISTS (SELECT 1 FROM record_facets f WHERE f.record_id = r.id AND f.field = 'received_at')"))


def downgrade():
    op.execute("DELETE FROM record_facets WHERE form_code = 'CS-INQ' AND field = 'received_at'")
    op.drop_index("ix_customer_entries_form_at", table_name="customer_entries")
