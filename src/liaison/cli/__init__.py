"""The command line: parse, call one function, print. User errors are one line and exit 1.

One module per command group (``documents``, ``knowledge``, ``sharing``, ``server``,
``remote``), registered in one list in ``main``; options and checks they share are in
``common``, and everything printed goes through ``render``.
"""

from liaison.cli.main import app, main

__all__ = ["app", "main"]
