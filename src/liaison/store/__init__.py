"""The store: documents, their versions and extractions, and every version of every STIX object."""

from liaison.store.database import Store, open_store

__all__ = ["Store", "open_store"]
