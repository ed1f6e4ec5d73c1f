"""phone numbers searchable by their digits

Records saved before this revision get the digits of their phone numbers in their search text
and in their phone filter facets, as ``records.service._index`` writes them from now on (issue #11
item 5): "0756 221 2345", "+86 756 2212345" and "０７５６２２１２３４５" then find a record saved as
"0756-2212345". No schema change. Only records of forms whose declaration searches or filters on
a phone field are read, in batches by id.

Why a migration rather than folding the column at query time: the register's search is one LIKE
over the stored text; stripping separators from every row in SQL (nested replace()) would cost a
function call per row on every search, and could not undo "+86" or full-width digits. The query is
folded instead (``records.register._search``), against text stored in the same form.

Revision ID: 7364e401c21d
Revises: b58dca09e04a
Create Date: 2026-12-03 07:40:00

"""
import json
import logging
import re
import unicodedata

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '7364e401c21d'
down_revision = 'b58dca09e04a'
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")
BATCH = 1000


def _digits(text):
    """``qms.records.phones.digits`` as of this revision (a migration keeps its own copy: it must
    give the same result whatever the module becomes later)."""
    raw = unicodedata.normalize("NFKC", str(text or "")).strip()
    number = re.sub(r"\D", "", raw)
    country = "86" if raw.startswith("+") else "0086"
    if number.startswith(country):
        number = number[len(country):]
        if number and not number.startswith("0") and not re.match(r"^1[3-9]", number):
            number = "0" + number
    return number


def _phone_forms(conn):
    """{form revision id: (search field names, phone search fields, phone filter fields)} for the
    revisions that search or filter on a phone field."""
    out = {}
    for rid, spec_json in conn.execute(sa.text("SELECT id, spec_json FROM form_revisions")):
        try:
            raw = json.loads(spec_json or "{}")
        except ValueError:
            continue
        fields = raw.get("fields") if isinstance(raw, dict) else None
        if not isinstance(fields, list):
            continue
        phones = {f.get("name") for f in fields if isinstance(f, dict) and f.get("type") == "phone"}
        register = raw.get("register") or {}
        search = tuple(register.get("search") or ())
        filters = tuple(n for n in register.get("filters") or () if n in phones)
        if phones & set(search) or filters:
            out[rid] = (search, phones & set(search), filters)
    return out


def _search_text(number, values, search, phone_search):
    """``records.service.search_text`` as of this revision."""
    parts = [number or ""]
    for name in search:
        v = values.get(name)
        if v:
            parts.append(str(v))
            if name in phone_search:
                parts.append(_digits(str(v)))
    return " ".join(parts).lower()[:4000]


def upgrade():
    conn = op.get_bind()
    forms = _phone_forms(conn)
    texts = facets = 0
    for rid, (search, phone_search, phone_filters) in forms.items():
        last = 0
        while True:
            rows = conn.execute(sa.text(
                "SELECT id, number, data FROM records WHERE form_revision_id = :rid AND id > :last "
                "ORDER BY id LIMIT :n"), {"rid": rid, "last": last, "n": BATCH}).all()
            if not rows:
                break
            last = rows[-1][0]
            if phone_search:
                updates = [{"id": i, "t": _search_text(number, json.loads(data or "{}"), search, phone_search)}
                           for i, number, data in rows]
                conn.execute(sa.text("UPDATE records SET search_text = :t WHERE id = :id"), updates)
                texts += len(updates)
            for name in phone_filters:
                found = conn.execute(sa.text(
                    "SELECT f.id, f.value FROM record_facets f WHERE f.field = :field AND f.record_id IN "
                    "(SELECT id FROM records WHERE form_revision_id = :rid AND id > :first AND id <= :last)"),
                    {"field": name, "rid": rid, "first": rows[0][0] - 1, "last": last}).all()
                changed = [{"id": i, "v": _digits(v)[:200]} for i, v in found if _digits(v) != v]
                for row in changed:
                    if row["v"]:
                        conn.execute(sa.text("UPDATE record_facets SET value = :v WHERE id = :id"), row)
                    else:  # no digits at all: nothing a filter could find
                        conn.execute(sa.text("DELETE FROM record_facets WHERE id = :id"), {"id": row["id"]})
                facets += len(changed)
    if forms:
        log.info("phone numbers searchable by their digits: %d records' search text, %d phone facets",
                 texts, facets)


def downgrade():
    # The digits added to the search texts are harmless to the older code. Phone filter facets
    # (no form declares one at this revision) keep their digits until the record is saved again.
    pass
