"""Tables of the store (SQLAlchemy 2 declarative). Migrations in ``migrations/`` create them."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Date, DateTime, ForeignKeyConstraint, Index, Integer, String, Text
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
    last_ingested: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


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
    extraction_method: Mapped[str] = mapped_column(String(64))
    ingested_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    __table_args__ = (ForeignKeyConstraint(["document_id"], ["documents.id"], ondelete="CASCADE"),)


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
        Index("ix_entities_key", "key"),
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
    )


class StixObjectRow(Base):
    """One version of one STIX object, as JSON; a new version is a new row."""

    __tablename__ = "stix_objects"
    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    modified: Mapped[str] = mapped_column(String(32), primary_key=True)
    type: Mapped[str] = mapped_column(String(64), index=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    document_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    stored_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    object: Mapped[dict] = mapped_column(JSON)
