"""Extraction: a spaCy pipeline of registered components plus domain data files."""
