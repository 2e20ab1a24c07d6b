"""Exports: a STIX 2.1 bundle, and per-document annotation JSON for scoring."""
