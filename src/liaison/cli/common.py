"""What several commands share: settings and store access, option definitions, argument checks.

Every check here runs before a command changes anything, so a bad argument never leaves half
a change behind (a partner added, then its token refused).
"""

from __future__ import annotations

import datetime as dt

import typer
from pydantic import ValidationError

from liaison.errors import ConfigError
from liaison.naming import ALIAS, IDENTITY_ID, PARTNER_ID
from liaison.settings import Settings

JSON = typer.Option(False, "--json", help="Print the rows as a JSON array instead of a table.")
SINCE = "Only on or after this date (YYYY-MM-DD)."
UNTIL = "Only on or before this date (YYYY-MM-DD)."


def settings() -> Settings:
    """The settings, or one line naming the variable whose value is wrong."""
    try:
        return Settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        name = "LIAISON_" + "_".join(str(p) for p in first["loc"]).upper()
        value = first.get("input")
        # A database URL may hold a password: never echo it.
        secret = any("url" in str(part) for part in first["loc"])
        shown = f" (got {value!r})" if value is not None and not isinstance(value, dict) and not secret else ""
        raise ConfigError(f"invalid setting: {first['msg']}{shown}", name, "See docs/configuration.md") from None


def settings_with_workers(workers: int | None) -> Settings:
    """The settings, with ``--workers`` (checked first) over LIAISON_WORKERS."""
    at_least(workers, 1, "--workers")
    s = settings()
    return s if workers is None else s.model_copy(update={"workers": workers})


def store(s: Settings | None = None):  # noqa: ANN201
    from liaison.store import open_store

    return open_store((s or settings()).resolved_database_url())


def sharing(s: Settings | None = None):  # noqa: ANN201
    from liaison.store.sharing import Sharing

    return Sharing(store(s))


def check_type(value: str | None, allowed: tuple[str, ...], option: str) -> None:
    if value is not None and value not in allowed:
        raise ConfigError(f"unknown type {value!r}", option, f"Use one of: {', '.join(allowed)}")


def parse_date(value: str | None, option: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"not a date: {value!r}", option, "Use YYYY-MM-DD") from None


def at_least(value: int | None, low: int, option: str) -> int | None:
    """``value`` unchanged, or one line when it is below ``low``; None passes (not given)."""
    if value is not None and value < low:
        raise ConfigError(f"{option} must be at least {low}", f"{option} {value}", f"Give {low} or more")
    return value


def expiry(days: int | None) -> dt.datetime | None:
    """When a token issued now for ``days`` days expires; None means never."""
    from liaison.clock import now

    at_least(days, 1, "--expires-in")
    return None if days is None else now() + dt.timedelta(days=days)


def partner_id(value: str) -> str:
    if not PARTNER_ID.fullmatch(value):
        raise ConfigError("a partner id is 1-64 letters, digits, '-' or '_'", value, "Choose another id")
    return value


def collection_alias(value: str | None, option: str = "ALIAS") -> str | None:
    """A collection alias as TAXII clients name it in URLs and commands: 1-128 letters, digits, '-', '_', '.'."""
    if value is not None and not ALIAS.fullmatch(value):
        raise ConfigError("a collection alias is 1-128 letters, digits, '-', '_' or '.'", f"{option} {value!r}",
                          "Choose another alias")
    return value


def identity_id(value: str | None) -> str | None:
    if value is not None and not IDENTITY_ID.fullmatch(value):
        raise ConfigError("not a STIX identity id", value, "Give identity--<uuid>")
    return value


TLP = "TLP 2.0 level: clear, green, amber, amber+strict or red."
RECIPIENT = "A partner (id) an AMBER+STRICT or RED document may also go to; repeat for more."


def marking(tlp: str | None, recipients: list[str] | None, sharing_tables=None):  # noqa: ANN001, ANN201
    """``--tlp`` and ``--recipient`` as a Marking (recipients as identity ids), checked before any work;
    None when no level is given."""
    from liaison.stix.tlp import Marking, parse_level

    if tlp is None:
        if recipients:
            raise ConfigError("--recipient needs --tlp amber+strict or red", "--recipient", "Add --tlp")
        return None
    try:
        level = parse_level(tlp)
    except ValueError as exc:
        raise ConfigError(str(exc), "--tlp", "Give one of clear, green, amber, amber+strict, red") from None
    identities: tuple[str, ...] = ()
    if recipients:
        try:
            identities = (sharing_tables or sharing()).recipient_identities(recipients)
        except KeyError as exc:
            raise ConfigError("no such partner", f"--recipient {exc.args[0]}", "See `liaison partners list`") from None
    try:
        return Marking(level, identities)
    except ValueError as exc:
        raise ConfigError(str(exc), "--recipient", "Use --tlp amber+strict or red, or leave --recipient out") from None
