"""Fusion: one entity, one event, one timeline across documents (docs/fusion.md).

Pure over the records of ``liaison.fuse.records``: the store hands them over and writes back
what fusion decides.
"""
