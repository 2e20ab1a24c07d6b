"""One error tree: every error a user can cause says what, where, and what to do."""

from __future__ import annotations


class LiaisonError(Exception):
    """A problem a user can fix; printed as one line, never as a traceback."""

    def __init__(self, what: str, where: str | None = None, hint: str | None = None) -> None:
        self.what = what
        self.where = where
        self.hint = hint
        super().__init__(self.line())

    def line(self) -> str:
        text = self.what
        if self.where:
            text += f" ({self.where})"
        if self.hint:
            text += f". {self.hint}"
        return text if text.endswith(".") else text + "."


class InputError(LiaisonError):
    """A document that cannot be read or understood."""


class StoreError(LiaisonError):
    """The store cannot be opened or written."""


class ConfigError(LiaisonError):
    """A setting or option with a wrong value."""
