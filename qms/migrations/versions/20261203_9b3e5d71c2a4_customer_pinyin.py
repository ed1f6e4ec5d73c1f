"""customer index: Chinese names by their pinyin (chenjianguo) and initials (cjg)

Two columns on ``customer_entries`` with partial indexes (most rows of a fixed-line operator's
customers hold a Chinese name, but forms naming only companies in Latin letters leave them NULL).
Backfill: every indexed row with a Chinese name, read with this revision's copy of
``qms.records.customers.pinyin_keys``.

Revision ID: 9b3e5d71c2a4
Revises: e5a1c3f7b920
Create Date: 2026-12-03 12:45:00

"""
import re

import sqlalchemy as sa
from alembic import op
from pypinyin import Style, lazy_pinyin

revision = '9b3e5d71c2a4'
down_revision = 'e5a1c3f7b920'
branch_labels = None
depends_on = None

BATCH = 1000
SURNAMES = {"曾": "zeng", "单": "shan", "解": "xie", "区": "ou", "仇": "qiu", "朴": "piao", "查": "zha",
            "盖": "ge", "乐": "yue", "覃": "qin", "翟": "zhai", "缪": "miao", "种": "chong", "柏": "bai",
            "召": "shao", "员": "yun", "尉": "yu", "秘": "bi", "繁": "po", "句": "gou", "宓": "mi"}
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def _key_type():
    return sa.String(length=120).with_variant(sa.String(length=120, collation="C"), "postgresql")


def _pinyin_keys(key):
    """``qms.records.customers.pinyin_keys`` of an already folded name, as of this revision."""
    if not key or not _HAN.search(key):
        return None, None
    words = [w.casefold() for w in lazy_pinyin(key, style=Style.NORMAL)]
    if key[0] in SURNAMES:
        words[0] = SURNAMES[key[0]]
    words = [w for w in ("".join(c for c in w if c.isalnum()) for w in words) if w]
    return ("".join(words)[:120] or None), ("".join(w[0] for w in words)[:120] or None)


def upgrade():
    with op.batch_alter_table('customer_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pinyin_key', _key_type(), nullable=True))
        batch_op.add_column(sa.Column('initials_key', _key_type(), nullable=True))
    conn = op.get_bind()
    entries = sa.table("customer_entries", sa.column("id", sa.Integer), sa.column("name_key", sa.String),
                       sa.column("pinyin_key", sa.String), sa.column("initials_key", sa.String))
    last = 0
    while True:
        rows = conn.execute(sa.select(entries.c.id, entries.c.name_key)
                            .where(entries.c.id > last, entries.c.name_key.is_not(None))
                            .order_by(entries.c.id).limit(BATCH)).all()
        if not rows:
            break
        last = rows[-1][0]
        updates = []
        for rid, name in rows:
            full, initials = _pinyin_keys(name)
            if full:
                updates.append({"rid": rid, "p": full, "i": initials})
        if updates:
            conn.execute(entries.update().where(entries.c.id == sa.bindparam("rid"))
                         .values(pinyin_key=sa.bindparam("p"), initials_key=sa.bindparam("i")), updates)
    for name, col in (("ix_customer_entries_pinyin", "pinyin_key"), ("ix_customer_entries_initials", "initials_key")):
        op.create_index(name, "customer_entries", [col], unique=False,
                        sqlite_where=sa.text(f"{col} IS NOT NULL"), postgresql_where=sa.text(f"{col} IS NOT NULL"))


def downgrade():
    op.drop_index("ix_customer_entries_initials", table_name="customer_entries")
    op.drop_index("ix_customer_entries_pinyin", table_name="customer_entries")
    with op.batch_alter_table('customer_entries', schema=None) as batch_op:
        batch_op.drop_column('initials_key')
        batch_op.drop_column('pinyin_key')
