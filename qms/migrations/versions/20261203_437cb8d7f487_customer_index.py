"""customer index: every submitted record of a form declaring `customer:`, by phone, name, account

``customer_entries`` is the read model of ``qms.records.customers`` (one row per record; indexes on
the normalised phone number, its reverse, the folded name and the account, each with the creation
time so a customer's page is an index range in date order). ``customer_forms`` remembers which
declaration each form's rows were built with.

Backfill: the records that exist are indexed from the form declarations already loaded (the latest
revision of each form that declares ``customer:``), with this revision's copy of the normalisers.
A declaration that arrives with the ``qms init`` that runs this migration is indexed right after
the forms load (``customers.refresh``), by the same rule.

Revision ID: 437cb8d7f487
Revises: c5a6e987bc2f
Create Date: 2026-12-03 09:30:00

"""
import json
import re
import unicodedata

import sqlalchemy as sa
from alembic import op

import qms.core.timeutil

revision = '437cb8d7f487'
down_revision = 'c5a6e987bc2f'
branch_labels = None
depends_on = None

BATCH = 1000


def _key_type():
    return sa.String(length=120).with_variant(sa.String(length=120, collation="C"), "postgresql")


def _digits(text):
    """``qms.records.phones.digits`` as of this revision."""
    raw = unicodedata.normalize("NFKC", str(text or "")).strip()
    number = re.sub(r"\D", "", raw)
    country = "86" if raw.startswith("+") else "0086"
    if number.startswith(country):
        number = number[len(country):]
        if number and not number.startswith("0") and not re.match(r"^1[3-9]", number):
            number = "0" + number
    return number


_SECOND = re.compile(r"(转|分机|ext\.?|x|#|/|,|;|、|或|\|)", re.IGNORECASE)
_CJK_GAP = re.compile(r"(?<=[\u3000-\u9fff\uf900-\ufaff])\s+|\s+(?=[\u3000-\u9fff\uf900-\ufaff])")


def _phone_key(text):
    """``qms.records.phones.key`` as of this revision."""
    number = _digits(_SECOND.split(unicodedata.normalize("NFKC", str(text or "")), maxsplit=1)[0])
    return number[:40] if len(number) >= 3 else ""


def _name_key(text):
    """``qms.records.customers.name_key`` as of this revision."""
    folded = unicodedata.normalize("NFKC", str(text or "")).strip()
    folded = _CJK_GAP.sub("", re.sub(r"\s+", " ", folded)).casefold()[:120]
    return folded if any(unicodedata.category(c)[0] in "LN" for c in folded) else ""


def _declarations(conn):
    """{form code: customer declaration} from the latest loaded revision of each form."""
    out = {}
    rows = conn.execute(sa.text("SELECT code, seq, spec_json FROM form_revisions ORDER BY code, seq")).all()
    for code, _seq, spec_json in rows:
        try:
            raw = json.loads(spec_json or "{}")
        except ValueError:
            continue
        decl = raw.get("customer") if isinstance(raw, dict) else None
        out[code] = decl if isinstance(decl, dict) and (decl.get("phone") or decl.get("name")) else None
    return {code: decl for code, decl in out.items() if decl}


def _row(rid, code, dept, at, values, decl):
    phone = values.get(decl.get("phone")) if decl.get("phone") else None
    name = values.get(decl.get("name")) if decl.get("name") else None
    account = values.get(decl.get("account")) if decl.get("account") else None
    pkey = _phone_key(phone) if phone not in (None, "") else ""
    nkey = _name_key(name) if name not in (None, "") else ""
    akey = _name_key(str(account)) if account not in (None, "") else ""
    if not (pkey or nkey or akey):
        return None
    return {"record_id": rid, "form_code": code, "department_id": dept, "at": at, "phone_key": pkey or None,
            "phone_rev": pkey[::-1] or None, "name_key": nkey or None, "account_key": akey or None,
            "phone": str(phone)[:100] if pkey else None, "name": str(name).strip()[:200] if nkey else None}


def upgrade():
    op.create_table(
        'customer_entries',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('record_id', sa.Integer(), nullable=False),
        sa.Column('form_code', sa.String(length=40), nullable=False),
        sa.Column('department_id', sa.Integer(), nullable=False),
        sa.Column('at', qms.core.timeutil.UTCDateTime(), nullable=True),
        sa.Column('phone_key', _key_type(), nullable=True),
        sa.Column('phone_rev', _key_type(), nullable=True),
        sa.Column('name_key', _key_type(), nullable=True),
        sa.Column('account_key', _key_type(), nullable=True),
        sa.Column('phone', sa.String(length=100), nullable=True),
        sa.Column('name', sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(['department_id'], ['departments.id'], ),
        sa.ForeignKeyConstraint(['record_id'], ['records.id'], ),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('record_id'),
    )
    op.create_index('ix_customer_entries_phone', 'customer_entries', ['phone_key', 'at', 'record_id'])
    op.create_index('ix_customer_entries_phone_rev', 'customer_entries', ['phone_rev'])
    op.create_index('ix_customer_entries_name', 'customer_entries', ['name_key', 'at', 'record_id'])
    op.create_index('ix_customer_entries_account', 'customer_entries', ['account_key', 'at', 'record_id'],
                    sqlite_where=sa.text('account_key IS NOT NULL'), postgresql_where=sa.text('account_key IS NOT NULL'))
    op.create_table(
        'customer_forms',
        sa.Column('form_code', sa.String(length=40), nullable=False),
        sa.Column('declaration', sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint('form_code'),
    )
    conn = op.get_bind()
    for code, decl in _declarations(conn).items():
        last = 0
        while True:
            rows = conn.execute(sa.text(
                "SELECT id, department_id, created_at, data FROM records WHERE form_code = :code AND id > :last "
                "AND number IS NOT NULL AND status NOT IN ('voided', 'superseded') ORDER BY id LIMIT :n"),
                {"code": code, "last": last, "n": BATCH}).all()
            if not rows:
                break
            last = rows[-1][0]
            batch = [r for rid, dept, at, data in rows
                     if (r := _row(rid, code, dept, at, json.loads(data or "{}"), decl)) is not None]
            if batch:  # plain SQL: the creation time is copied as the database holds it
                conn.execute(sa.text(
                    "INSERT INTO customer_entries (record_id, form_code, department_id, at, phone_key, phone_rev, "
                    "name_key, account_key, phone, name) VALUES (:record_id, :form_code, :department_id, :at, "
                    ":phone_key, :phone_rev, :name_key, :account_key, :phone, :name)"), batch)
        conn.execute(sa.text("INSERT INTO customer_forms (form_code, declaration) VALUES (:c, :d)"),
                     {"c": code, "d": json.dumps(decl, sort_keys=True)})


def downgrade():
    op.drop_table('customer_forms')
    op.drop_index('ix_customer_entries_account', table_name='customer_entries')
    op.drop_index('ix_customer_entries_name', table_name='customer_entries')
    op.drop_index('ix_customer_entries_phone_rev', table_name='customer_entries')
    op.drop_index('ix_customer_entries_phone', table_name='customer_entries')
    op.drop_table('customer_entries')
