"""search: an index under the register's text search (issue #12 item 6)

SQLite: ``records_fts``, a contentless FTS5 table with the trigram tokenizer over
``records.search_text`` followed by two U+0001 (so that every one- or two-character part of the
text begins a trigram: ``records.search`` finds short terms through the vocabulary,
``records_fts_terms``), kept in step by triggers on ``records`` (the ORM writes the search text;
a trigger also sees a bulk load or a data migration). PostgreSQL: ``pg_trgm`` and a GIN index on
``search_text``, which the planner uses for ``LIKE '%…%'`` itself. Existing records are indexed here.

Revision ID: e5a1c3f7b920
Revises: 5d1c0e7a9b42
Create Date: 2026-12-03 09:30:00

"""
from alembic import op

revision = 'e5a1c3f7b920'
down_revision = '5d1c0e7a9b42'
branch_labels = None
depends_on = None

# Kept here, not imported: a migration does not import the app (``records.search`` names the same).
PAD = "char(1, 1)"
SQLITE_UP = (
    "CREATE VIRTUAL TABLE records_fts USING fts5(search_text, content='', detail='none', "
    "tokenize='trigram case_sensitive 1')",
    "CREATE VIRTUAL TABLE records_fts_terms USING fts5vocab(records_fts, 'row')",
    f"INSERT INTO records_fts (rowid, search_text) SELECT id, search_text || {PAD} FROM records",
    f"""CREATE TRIGGER records_fts_insert AFTER INSERT ON records BEGIN
        INSERT INTO records_fts (rowid, search_text) VALUES (new.id, new.search_text || {PAD});
    END""",
    f"""CREATE TRIGGER records_fts_update AFTER UPDATE OF search_text ON records
    WHEN old.search_text IS NOT new.search_text BEGIN
        INSERT INTO records_fts (records_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text || {PAD});
        INSERT INTO records_fts (rowid, search_text) VALUES (new.id, new.search_text || {PAD});
    END""",
    f"""CREATE TRIGGER records_fts_delete AFTER DELETE ON records BEGIN
        INSERT INTO records_fts (records_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text || {PAD});
    END""",
)
SQLITE_DOWN = ("DROP TRIGGER IF EXISTS records_fts_delete", "DROP TRIGGER IF EXISTS records_fts_update",
               "DROP TRIGGER IF EXISTS records_fts_insert", "DROP TABLE IF EXISTS records_fts_terms",
               "DROP TABLE IF EXISTS records_fts")
PG_UP = ("CREATE EXTENSION IF NOT EXISTS pg_trgm",
         "CREATE INDEX ix_records_search_trgm ON records USING gin (search_text gin_trgm_ops)")
PG_DOWN = ("DROP INDEX IF EXISTS ix_records_search_trgm",)


def _run(statements) -> None:
    for sql in statements:
        op.execute(sql)


def upgrade():
    name = op.get_bind().dialect.name
    _run(SQLITE_UP if name == "sqlite" else PG_UP if name == "postgresql" else ())


def downgrade():
    name = op.get_bind().dialect.name
    _run(SQLITE_DOWN if name == "sqlite" else PG_DOWN if name == "postgresql" else ())
