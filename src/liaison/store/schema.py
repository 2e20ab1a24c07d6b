"""Tables of the store (SQLAlchemy 2 declarative). Migrations in ``migrations/`` create them."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class DocumentRow(Base):
    """A document by its identity (path or URL); its text lives in its versions."""

    __tablename__ = "documents"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    source_key: Mapped[str] = mapped_column(Text, unique=True)
    stem: Mapped[str] = mapped_column(String(255), index=True)
    current_version: Mapped[int] = mapped_column(Integer)
    first_ingested: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    last_ingested: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    # The analyst's TLP marking of the document (None: unmarked, the collection's default decides) and,
    # for AMBER+STRICT and RED, the identity ids it may also go to (a JSON list).
    tlp: Mapped[str | None] = mapped_column(String(16), nullable=True, index=True)
    recipients: Mapped[str | None] = mapped_column(Text, nullable=True)
    #: When the marking was last changed by `liaison mark` or the document page (None: as ingested).
    #: What a partner may see changes with it at once, before the collections catch up, so the web
    #: UI's remembered counts and maps read its latest value (migration 0017).
    marked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True, index=True)


class DocumentVersionRow(Base):
    __tablename__ = "document_versions"
    document_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    media_type: Mapped[str] = mapped_column(String(64))
    url: Mapped[str | None] = mapped_column(Text, nullable=True)
    title: Mapped[str | None] = mapped_column(Text, nullable=True)
    outlet: Mapped[str | None] = mapped_column(Text, nullable=True)
    published: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    published_from: Mapped[str | None] = mapped_column(String(16), nullable=True)
    # What the file's bytes were read as and how sure that was (docs/ingest.md#text-encoding).
    encoding: Mapped[str | None] = mapped_column(String(32), nullable=True)
    encoding_confidence: Mapped[float | None] = mapped_column(Float, nullable=True)
    extraction_method: Mapped[str] = mapped_column(String(64))
    ingested_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    __table_args__ = (ForeignKeyConstraint(["document_id"], ["documents.id"], ondelete="CASCADE"),
                      # the entity page's timeline by month of publication, from the index (migration 0017)
                      Index("ix_document_versions_published", "document_id", "version", "published"))


class EntityRow(Base):
    """An entity as one document version names it."""

    __tablename__ = "entities"
    document_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(512), primary_key=True)
    canonical: Mapped[str] = mapped_column(Text)
    type: Mapped[str] = mapped_column(String(32), index=True)
    data: Mapped[dict] = mapped_column(JSON)
    __table_args__ = (
        ForeignKeyConstraint(["document_id", "version"], ["document_versions.document_id",
                                                          "document_versions.version"], ondelete="CASCADE"),
        Index("ix_entities_key_document", "key", "document_id", "version"),  # migration 0017 (was by key alone)
    )


class MentionRow(Base):
    __tablename__ = "mentions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    document_id: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer)
    entity_key: Mapped[str] = mapped_column(String(512))
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    __table_args__ = (
        ForeignKeyConstraint(["document_id", "version"], ["document_versions.document_id",
                                                          "document_versions.version"], ondelete="CASCADE"),
        Index("ix_mentions_doc", "document_id", "version"),
        Index("ix_mentions_entity_key", "entity_key"),  # migration 0013: which visible documents write a name
    )


class EventRow(Base):
    __tablename__ = "events"
    document_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    idx: Mapped[int] = mapped_column(Integer, primary_key=True)
    type: Mapped[str] = mapped_column(String(64), index=True)
    subtype: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(32))
    date_value: Mapped[str | None] = mapped_column(String(32), nullable=True)
    date_start: Mapped[dt.date | None] = mapped_column(Date, nullable=True, index=True)
    date_end: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    confidence: Mapped[int] = mapped_column(Integer)
    evidence_start: Mapped[int] = mapped_column(Integer)
    evidence_end: Mapped[int] = mapped_column(Integer)
    data: Mapped[dict] = mapped_column(JSON)
    __table_args__ = (
        ForeignKeyConstraint(["document_id", "version"], ["document_versions.document_id",
                                                          "document_versions.version"], ondelete="CASCADE"),
        # Migration 0013: the web UI's events in date order, undated last, are an index walk (0017 added
        # the version, so that a walk can probe each event's roles without reading its row).
        Index("ix_events_by_date_version", text("(date_start IS NULL)"), "date_start", "document_id", "idx", "version"),
        Index("ix_events_type_by_date_version", "type", text("(date_start IS NULL)"), "date_start", "document_id",
              "idx", "version"),  # migration 0018 (0013's ix_events_type_by_date with the version)
        Index("ix_events_confidence", "confidence", "date_start", "document_id", "idx"),  # migration 0015
        Index("ix_events_key_date", "document_id", "version", "idx", "date_start"),  # migration 0017
    )


class EventRoleRow(Base):
    """Who took part in an event and how (actor, target, location): what `--entity` filters on."""

    __tablename__ = "event_roles"
    document_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    idx: Mapped[int] = mapped_column(Integer, primary_key=True)
    role: Mapped[str] = mapped_column(String(16), primary_key=True)
    entity_key: Mapped[str] = mapped_column(String(512), primary_key=True)
    __table_args__ = (
        ForeignKeyConstraint(["document_id", "version", "idx"], ["events.document_id", "events.version",
                                                                 "events.idx"], ondelete="CASCADE"),
        Index("ix_event_roles_entity", "entity_key"),
        Index("ix_event_roles_entity_event", "entity_key", "document_id", "version", "idx"),  # migration 0014
    )


class StixObjectRow(Base):
    """One version of one STIX object, as its JSON text; a new version is a new row.

    Text rather than a JSON column: objects are written and served whole, never queried
    inside, and keeping the text spares a parse and a re-serialisation on each side."""

    __tablename__ = "stix_objects"
    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    modified: Mapped[str] = mapped_column(String(32), primary_key=True)
    type: Mapped[str] = mapped_column(String(64), index=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    document_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    stored_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    object: Mapped[str] = mapped_column(Text)


class DocumentObjectRow(Base):
    """Which STIX objects each document's current version yields: an entity named in several
    documents is one object, and its marking is the strictest of theirs (docs/sharing.md)."""

    __tablename__ = "document_objects"
    document_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    object_id: Mapped[str] = mapped_column(String(128), primary_key=True, index=True)


class ObjectMarkingRow(Base):
    """An analyst's marking of one STIX object (`liaison mark OBJECT`), which wins over the strictest
    marking of the documents it was drawn from: how something is released more widely."""

    __tablename__ = "object_markings"
    object_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    tlp: Mapped[str] = mapped_column(String(16))
    recipients: Mapped[str | None] = mapped_column(Text, nullable=True)
    marked_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


# ---------------------------------------------------------------- sharing (TAXII 2.1)


class PartnerRow(Base):
    """A partner organisation: who a TAXII request comes from. Its STIX identity is what its
    objects name as `created_by_ref` and what TLP recipient lists name."""

    __tablename__ = "partners"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    identity_id: Mapped[str] = mapped_column(String(128), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class TokenRow(Base):
    """An API token of a partner: the public id and a SHA-256 of the secret, never the secret."""

    __tablename__ = "tokens"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    partner_id: Mapped[str] = mapped_column(String(64), ForeignKey("partners.id", ondelete="CASCADE"), index=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class CollectionRow(Base):
    """A TAXII collection. ``follows_store``: every STIX object ingest stores is added to it."""

    __tablename__ = "collections"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    alias: Mapped[str] = mapped_column(String(128), unique=True)
    title: Mapped[str] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    default_tlp: Mapped[str] = mapped_column(String(16))
    public: Mapped[bool] = mapped_column(Boolean, default=False)
    follows_store: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class GrantRow(Base):
    __tablename__ = "grants"
    collection_id: Mapped[str] = mapped_column(String(64), ForeignKey("collections.id", ondelete="CASCADE"),
                                               primary_key=True)
    partner_id: Mapped[str] = mapped_column(String(64), ForeignKey("partners.id", ondelete="CASCADE"),
                                            primary_key=True)
    can_read: Mapped[bool] = mapped_column(Boolean, default=False)
    can_write: Mapped[bool] = mapped_column(Boolean, default=False)


class CollectionObjectRow(Base):
    """One version of one object in one collection, in the order it was added (``seq``).

    ``tlp`` is the rank of the object's effective TLP 2.0 level (see liaison.share.tlp),
    ``producer`` its `created_by_ref` (or the partner that posted it), so that what a reader may
    see is decided in SQL, counts and paging included."""

    __tablename__ = "collection_objects"
    seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True,
                                     autoincrement=True)
    collection_id: Mapped[str] = mapped_column(String(64), ForeignKey("collections.id", ondelete="CASCADE"))
    object_id: Mapped[str] = mapped_column(String(128))
    version: Mapped[str] = mapped_column(String(40))
    spec_version: Mapped[str] = mapped_column(String(8))
    type: Mapped[str] = mapped_column(String(64))
    date_added: Mapped[str] = mapped_column(String(32))
    tlp: Mapped[int] = mapped_column(Integer)
    producer: Mapped[str | None] = mapped_column(String(128), nullable=True)
    object: Mapped[str] = mapped_column(Text)
    #: Where this version came from: "ingest" (this installation's store), "partner:<id>" (a TAXII
    #: POST), or the URL of the remote collection it was pulled from.
    origin: Mapped[str | None] = mapped_column(Text, nullable=True)
    __table_args__ = (
        UniqueConstraint("collection_id", "object_id", "version", name="uq_collection_object_version"),
        Index("ix_collection_objects_added", "collection_id", "date_added"),
        Index("ix_collection_objects_type", "collection_id", "type", "seq"),
        Index("ix_collection_objects_seq", "collection_id", "seq"),
        # by object alone: whether a document's report is shared anywhere (store/access.visible_documents)
        Index("ix_collection_objects_object", "object_id"),
        # migration 0018: the access rule's report row (store/access.visible_documents) from the index alone
        Index("ix_collection_objects_rule", "collection_id", "object_id", "origin", "version", "tlp", "producer", "seq"),
        {"sqlite_autoincrement": True},  # a deleted row's seq is never reused, so paging never skips
    )


class RecipientRow(Base):
    """An organisation named on an AMBER+STRICT or RED object as one who may receive it."""

    __tablename__ = "collection_object_recipients"
    seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"),
                                     ForeignKey("collection_objects.seq", ondelete="CASCADE"), primary_key=True)
    identity_id: Mapped[str] = mapped_column(String(128), primary_key=True)


class StatusRow(Base):
    """The TAXII status resource of one POST."""

    __tablename__ = "taxii_statuses"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    collection_id: Mapped[str] = mapped_column(String(64))
    partner_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    request_timestamp: Mapped[str] = mapped_column(String(32))
    total_count: Mapped[int] = mapped_column(Integer)
    success_count: Mapped[int] = mapped_column(Integer)
    failure_count: Mapped[int] = mapped_column(Integer)
    details: Mapped[str] = mapped_column(Text)


class AuditRow(Base):
    """Who read or wrote what, when, from where."""

    __tablename__ = "audit"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True,
                                    autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    partner_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    remote: Mapped[str | None] = mapped_column(String(64), nullable=True)
    method: Mapped[str] = mapped_column(String(8))
    path: Mapped[str] = mapped_column(Text)
    collection_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    status: Mapped[int] = mapped_column(Integer)
    objects: Mapped[int] = mapped_column(Integer, default=0)
    #: The web UI's user behind the request (TAXII requests name a partner instead).
    user_name: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)

    # the latest DELETE: one of the dashboard's signs that its counts may have changed (migration 0016)
    __table_args__ = (Index("ix_audit_method", "method", "id"),
                      # the sharing admin's audit pages by partner and by user, newest first (migration 0017)
                      Index("ix_audit_partner_newest", "partner_id", "id"), Index("ix_audit_user_newest", "user_name", "id"))


class PullStateRow(Base):
    """Where `liaison pull` stopped for one remote collection, so the next pull is incremental."""

    __tablename__ = "pull_state"
    url: Mapped[str] = mapped_column(String(512), primary_key=True)
    collection: Mapped[str] = mapped_column(String(128), primary_key=True)
    added_after: Mapped[str | None] = mapped_column(String(40), nullable=True)
    pulled_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class InstallationRow(Base):
    """This installation's own organisation: the STIX identity every object it makes names as
    `created_by_ref`. One row, made with a random id at first use, so no two installations share
    an identity (which the TLP rule gives AMBER+STRICT and RED objects to)."""

    __tablename__ = "installation"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    identity_id: Mapped[str] = mapped_column(String(128))
    name: Mapped[str] = mapped_column(Text)
    created: Mapped[str] = mapped_column(String(32))
    modified: Mapped[str] = mapped_column(String(32))


# ---------------------------------------------------------------- fusion (docs/fusion.md)


class EntityLinkRow(Base):
    """Which resolved entity one document's entity (a node) belongs to, and why: the rule or score
    and the node it was linked against. One row per node of every current document version."""

    __tablename__ = "entity_links"
    document_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    entity_key: Mapped[str] = mapped_column(String(512), primary_key=True)
    entity: Mapped[str] = mapped_column(String(600), index=True)
    rule: Mapped[str] = mapped_column(String(32))
    score: Mapped[float] = mapped_column(Float)
    against_document: Mapped[str | None] = mapped_column(String(64), nullable=True)
    against_key: Mapped[str | None] = mapped_column(String(512), nullable=True)
    # The node as resolution reads it (a JSON liaison.fuse.records.EntityMention), so that comparing
    # a new document with the nodes sharing its blocks is one read, not a rebuild of their documents.
    mention: Mapped[str] = mapped_column(Text)
    __table_args__ = (
        Index("ix_entity_links_entity_document", "entity", "document_id", "entity_key"),  # migration 0014
        Index("ix_entity_links_document_key_entity", "document_id", "entity_key", "entity"),  # migration 0017
    )


class EntityBlockRow(Base):
    """A blocking key of a node: resolution compares a new node only with nodes sharing one."""

    __tablename__ = "entity_blocks"
    block: Mapped[str] = mapped_column(String(255), primary_key=True)
    document_id: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)
    entity_key: Mapped[str] = mapped_column(String(512), primary_key=True)


class EventBlockRow(Base):
    """A block key of an event report (liaison.fuse.events.block_keys, as its names resolve now):
    an ingest fuses a new report only with the reports filed under one of its lookup keys
    (migration 0019; liaison.store.event_fusion)."""

    __tablename__ = "event_blocks"
    block: Mapped[str] = mapped_column(String(255), primary_key=True)
    document_id: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)
    idx: Mapped[int] = mapped_column(Integer, primary_key=True)


class EntityOverrideRow(Base):
    """An analyst's merge or split (`liaison entities merge|split`): who, when, and over which keys;
    every later resolution follows it, and it is exported."""

    __tablename__ = "entity_overrides"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(8))
    keys: Mapped[str] = mapped_column(Text)  # a JSON list of entity keys
    alias: Mapped[str | None] = mapped_column(Text, nullable=True)
    document_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    made_by: Mapped[str] = mapped_column(String(128))
    made_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class EventStoryRow(Base):
    """Which fused event (story) one document's event belongs to, and why."""

    __tablename__ = "event_stories"
    document_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    idx: Mapped[int] = mapped_column(Integer, primary_key=True)
    story: Mapped[str] = mapped_column(String(128), index=True)
    rule: Mapped[str] = mapped_column(String(32))
    score: Mapped[float] = mapped_column(Float)
    against_document: Mapped[str | None] = mapped_column(String(64), nullable=True)
    against_idx: Mapped[int | None] = mapped_column(Integer, nullable=True)
    report: Mapped[str] = mapped_column(Text)  # the JSON liaison.fuse.records.EventReport fusion read


class ClaimRow(Base):
    """One source's figure or date for one fused event; disagreeing claims are flagged, never merged."""

    __tablename__ = "claims"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    story: Mapped[str] = mapped_column(String(128), index=True)
    field: Mapped[str] = mapped_column(String(32))
    value: Mapped[str] = mapped_column(Text)
    document_id: Mapped[str] = mapped_column(String(64), index=True)
    idx: Mapped[int] = mapped_column(Integer)
    source: Mapped[str | None] = mapped_column(Text, nullable=True)
    published: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    conflict: Mapped[bool] = mapped_column(Boolean, default=False, index=True)


# ---------------------------------------------------------------- users (docs/users.md)


class UserRow(Base):
    """A person who signs in: a member of this installation (``organisation`` NULL: an analyst, or an
    administrator with ``admin``) or of a partner organisation (its id). Only an argon2 hash of the
    password is kept; ``must_change`` marks a one-time password, and the failed sign-ins are counted
    so that the web sign-in can slow down guessing."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    organisation: Mapped[str | None] = mapped_column(String(64), ForeignKey("partners.id", ondelete="CASCADE"),
                                                     nullable=True, index=True)
    admin: Mapped[bool] = mapped_column(Boolean, default=False)
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    disabled_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    password_set_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    must_change: Mapped[bool] = mapped_column(Boolean, default=False)
    failed_signins: Mapped[int] = mapped_column(Integer, default=0)
    last_failed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    #: When the visit before this one began, and when this one did (a visit: a sign-in, or a return
    #: after an hour away), so the dashboard can say what changed since the last visit.
    last_visit_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    this_visit_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class InstallationSecretRow(Base):
    """Secrets this installation makes for itself (the web session cookies' signing key), one per name."""

    __tablename__ = "installation_secrets"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(255))


class IngestJobRow(Base):
    """An ingest started from the web UI, kept in the store so that any server process (``liaison
    serve --workers N``) can show its progress, not only the one running it. ``record`` holds what
    became of each file and the ingest's notes and counts (JSON); ``beat_at`` is written while it
    runs, so that a job whose server stopped is told apart from a slow one."""

    __tablename__ = "ingest_jobs"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    owner: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    beat_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    state: Mapped[str] = mapped_column(String(16))
    total: Mapped[int] = mapped_column(Integer)
    done: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str] = mapped_column(Text, default="")
    record: Mapped[dict] = mapped_column(JSON)

    __table_args__ = (Index("ix_ingest_jobs_owner_created", "owner", "created_at"),)
