"""Liaison: from open reporting to sourced, shareable STIX 2.1 intelligence."""

__version__ = "0.1.0"
