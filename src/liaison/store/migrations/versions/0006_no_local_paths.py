"""Reports stored before this revision named the ingested file's local path (and, when untitled, its
stem): take both out of every stored version, in the store and in every collection, so that no
export or TAXII answer carries them again (docs/sharing.md, "What a report says about its source").

The versions are rewritten in place, not versioned: a local path must not stay readable in any
version, and the rest of each object is unchanged.

Revision ID: 0006
Revises: 0005
"""

import hashlib
import json
import re

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

LIAISON_EXTENSION_ID = "extension-definition--c4460184-12c6-43ec-bcdd-41d4555d3502"


def _hash(obj: dict) -> str:  # as liaison.store.rows.object_hash, frozen here as migrations must be
    core = {k: v for k, v in obj.items() if k not in ("created", "modified")}
    return hashlib.sha256(json.dumps(core, sort_keys=True, default=str).encode()).hexdigest()


def _clean(obj: dict, stem: str | None, text: str | None) -> bool:
    changed = False
    ext = (obj.get("extensions") or {}).get(LIAISON_EXTENSION_ID)
    if isinstance(ext, dict) and "source_key" in ext:
        del ext["source_key"]
        changed = True
    if stem and obj.get("name") == stem:
        obj["name"] = (re.sub(r"\s+", " ", text or "").strip()[:100] or "Untitled report")
        changed = True
    return changed


def upgrade() -> None:
    conn = op.get_bind()
    docs = {did: (stem, text) for did, stem, text in conn.execute(sa.text(
        "SELECT d.id, d.stem, v.text FROM documents d JOIN document_versions v "
        "ON v.document_id = d.id AND v.version = 1"))}
    stems = {stem: did for did, (stem, _) in docs.items()}
    for oid, modified, did, text in conn.execute(sa.text(
            "SELECT id, modified, document_id, object FROM stix_objects WHERE type = 'report'")).all():
        obj = json.loads(text)
        stem, body = docs.get(did, (None, None))
        if _clean(obj, stem, body):
            conn.execute(sa.text("UPDATE stix_objects SET object = :o, content_hash = :h WHERE id = :i AND modified = :m"),
                         {"o": json.dumps(obj, separators=(",", ":"), ensure_ascii=False), "h": _hash(obj), "i": oid,
                          "m": modified})
    for seq, text in conn.execute(sa.text("SELECT seq, object FROM collection_objects WHERE type = 'report'")).all():
        obj = json.loads(text)
        did = stems.get(obj.get("name"))
        stem, body = docs.get(did, (None, None)) if did else (None, None)
        if _clean(obj, stem, body):
            conn.execute(sa.text("UPDATE collection_objects SET object = :o WHERE seq = :s"),
                         {"o": json.dumps(obj, separators=(",", ":"), ensure_ascii=False), "s": seq})


def downgrade() -> None:
    pass  # the paths are gone; nothing to put back
