"""Full-text search of the documents' current text (the web UI's search page, docs/web.md).

SQLite: an FTS5 table ``document_search`` (title and text of each document's current version,
Porter-stemmed, accents folded) kept in step by triggers on ``document_versions`` and
``documents``, so every write path (ingest, re-ingest, re-extraction, delete) keeps it right with
no code of its own. FTS5 finds its rows fast only by rowid, so ``document_search_ids`` gives each
document a stable integer rowid (a document's implicit rowid may change on VACUUM).

PostgreSQL: a GIN index on the same words, ``to_tsvector('english', title || ' ' || text)``, which
liaison.store.reading.search writes identically so the planner uses it.

Entity search (a name the vocabulary proposes, confirmed by a document that writes it) finds the
mentions of one key written one way through ``ix_mentions_key_name``: on the name's first 200
characters, so that no name is too long for a PostgreSQL index entry.

Documents already stored are indexed here.

Revision ID: 0012
Revises: 0011
"""

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

#: The PostgreSQL expression indexed (liaison.store.reading.search.PG_DOCUMENT repeats it).
PG_EXPRESSION = "to_tsvector('english'::regconfig, coalesce(title, '') || ' ' || text)"

_ROWID = "(SELECT id FROM document_search_ids WHERE document_id = {doc})"

SQLITE = [
    "CREATE TABLE document_search_ids (id INTEGER PRIMARY KEY, document_id VARCHAR(64) NOT NULL UNIQUE)",
    "CREATE VIRTUAL TABLE document_search USING fts5(version UNINDEXED, title, text, "
    "tokenize = 'porter unicode61 remove_diacritics 2')",
    # A new version that is the document's current one replaces what was indexed for the document.
    f"""CREATE TRIGGER document_search_version_added AFTER INSERT ON document_versions
    WHEN NEW.version = (SELECT current_version FROM documents WHERE id = NEW.document_id)
    BEGIN
        INSERT OR IGNORE INTO document_search_ids (document_id) VALUES (NEW.document_id);
        DELETE FROM document_search WHERE rowid = {_ROWID.format(doc='NEW.document_id')};
        INSERT INTO document_search (rowid, version, title, text)
        VALUES ({_ROWID.format(doc='NEW.document_id')}, NEW.version, coalesce(NEW.title, ''), NEW.text);
    END""",
    # The current version moved (ingest moves it before it writes the new version, which the trigger
    # above then indexes): index the version it points to, if it is there already.
    f"""CREATE TRIGGER document_search_current_moved AFTER UPDATE OF current_version ON documents
    WHEN NEW.current_version IS NOT OLD.current_version
    BEGIN
        INSERT OR IGNORE INTO document_search_ids (document_id) VALUES (NEW.id);
        DELETE FROM document_search WHERE rowid = {_ROWID.format(doc='NEW.id')};
        INSERT INTO document_search (rowid, version, title, text)
        SELECT {_ROWID.format(doc='NEW.id')}, v.version, coalesce(v.title, ''), v.text FROM document_versions v
        WHERE v.document_id = NEW.id AND v.version = NEW.current_version;
    END""",
    # A document written after its versions (a bulk load) is indexed too.
    f"""CREATE TRIGGER document_search_document_added AFTER INSERT ON documents
    BEGIN
        INSERT OR IGNORE INTO document_search_ids (document_id) VALUES (NEW.id);
        DELETE FROM document_search WHERE rowid = {_ROWID.format(doc='NEW.id')};
        INSERT INTO document_search (rowid, version, title, text)
        SELECT {_ROWID.format(doc='NEW.id')}, v.version, coalesce(v.title, ''), v.text FROM document_versions v
        WHERE v.document_id = NEW.id AND v.version = NEW.current_version;
    END""",
    f"""CREATE TRIGGER document_search_version_changed AFTER UPDATE OF text, title ON document_versions
    WHEN NEW.version = (SELECT current_version FROM documents WHERE id = NEW.document_id)
    BEGIN
        DELETE FROM document_search WHERE rowid = {_ROWID.format(doc='NEW.document_id')};
        INSERT INTO document_search (rowid, version, title, text)
        VALUES ({_ROWID.format(doc='NEW.document_id')}, NEW.version, coalesce(NEW.title, ''), NEW.text);
    END""",
    f"""CREATE TRIGGER document_search_version_deleted AFTER DELETE ON document_versions
    BEGIN
        DELETE FROM document_search WHERE rowid = {_ROWID.format(doc='OLD.document_id')}
        AND version = OLD.version;
    END""",
    f"""CREATE TRIGGER document_search_document_deleted AFTER DELETE ON documents
    BEGIN
        DELETE FROM document_search WHERE rowid = {_ROWID.format(doc='OLD.id')};
        DELETE FROM document_search_ids WHERE document_id = OLD.id;
    END""",
    # what is stored already
    "INSERT INTO document_search_ids (document_id) SELECT id FROM documents ORDER BY id",
    """INSERT INTO document_search (rowid, version, title, text)
    SELECT i.id, v.version, coalesce(v.title, ''), v.text FROM documents d
    JOIN document_search_ids i ON i.document_id = d.id
    JOIN document_versions v ON v.document_id = d.id AND v.version = d.current_version""",
]

SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS document_search_document_deleted",
    "DROP TRIGGER IF EXISTS document_search_version_deleted",
    "DROP TRIGGER IF EXISTS document_search_version_changed",
    "DROP TRIGGER IF EXISTS document_search_document_added",
    "DROP TRIGGER IF EXISTS document_search_current_moved",
    "DROP TRIGGER IF EXISTS document_search_version_added",
    "DROP TABLE IF EXISTS document_search",
    "DROP TABLE IF EXISTS document_search_ids",
]


def upgrade() -> None:
    op.execute("CREATE INDEX ix_mentions_key_name ON mentions (entity_key, substr(text, 1, 200))")
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE:
            op.execute(statement)
    else:
        op.execute(f"CREATE INDEX ix_document_versions_search ON document_versions USING gin ({PG_EXPRESSION})")


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_mentions_key_name")
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_DOWN:
            op.execute(statement)
    else:
        op.execute("DROP INDEX IF EXISTS ix_document_versions_search")
