"""The command line: parse, call one function, print. User errors are one line and exit 1.

One module per command group (``documents``, ``knowledge``, ``sharing``, ``server``,
``remote``), registered in one list in ``main``; options and checks they share are in
``common``, and everything printed goes through ``render``.

What a command needs beyond parsing (the store, spaCy, the server) is imported inside the
command, so that ``liaison --help`` loads none of it and only the extracting commands (ingest,
reextract) load spaCy; tests/test_cli.py keeps it so.
"""

from liaison.cli.main import app, main

__all__ = ["app", "main"]
