"""Users who sign in to the web UI: this installation's analysts and administrators, partners' members.

Every argument (the name, the organisation, the password read from standard input) is checked
before anything is written, so a refused command changes nothing. A password is never an
argument (it would stay in the shell's history and in the process list): it is made here and
printed once, or read from standard input with ``--password-stdin``.
"""

from __future__ import annotations

import sys

import typer

from liaison.cli import common
from liaison.cli.render import Column, emit, say
from liaison.errors import ConfigError, LiaisonError

users_app = typer.Typer(help="People who sign in to the web UI: analysts, administrators, partners' members.",
                        no_args_is_help=True)

PASSWORD_STDIN = typer.Option(False, "--password-stdin",
                              help="Read the password from standard input (one line) instead of making a "
                                   "one-time password.")


def _users():  # noqa: ANN202
    from liaison.store.users import Users

    return Users(common.store())


def _name(name: str) -> str:
    from liaison.store.users import BadName, check_name

    try:
        return check_name(name)
    except BadName as exc:
        raise ConfigError(str(exc), name, "Choose another name") from None


def _read_password(option: str = "--password-stdin") -> str:
    """One line from standard input (its line end dropped), checked for strength; never echoed."""
    from liaison.store.users import WeakPassword, check_password

    text = sys.stdin.read()
    for end in ("\r\n", "\n"):
        if text.endswith(end):
            text = text[: -len(end)]
            break
    if not text:
        raise ConfigError("no password on standard input", option, "Pipe the password in, or leave the option out "
                          "for a one-time password")
    try:
        return check_password(text)
    except WeakPassword as exc:
        raise ConfigError(str(exc), option, "Choose a longer password, or leave the option out for a one-time "
                          "password") from None


def _unknown(name: str) -> LiaisonError:
    return LiaisonError("no such user", name, "See `liaison users list`")


def _show_one_time(name: str, password: str) -> None:
    say(f"one-time password for {name} (shown once; only its hash is stored; it must be changed at first sign-in):")
    say(password)


@users_app.command("add")
def users_add(
    name: str = typer.Argument(..., help="The name the person signs in with (letters, digits, . _ @ + -)."),
    org: str = typer.Option(..., "--org", help="'self' (this installation's own) or the id of a partner."),
    admin: bool = typer.Option(False, "--admin", help="An administrator of this installation (manages sharing "
                                                      "and users); only with --org self."),
    password_stdin: bool = PASSWORD_STDIN,
    if_missing: bool = typer.Option(False, "--if-missing", help="If a user has this name already, say so and "
                                    "succeed (its password and role are left as they are)."),
) -> None:
    """Add a user and print its one-time password (or set the password read from standard input)."""
    from liaison.store.users import SELF, NameTaken, NoSuchPartner

    _name(name)
    organisation = None if org == SELF else common.partner_id(org)
    if admin and organisation is not None:
        raise ConfigError("an administrator belongs to this installation, not to a partner", f"--org {org}",
                          "Use --org self with --admin, or leave --admin out")
    users = _users()
    try:
        users.check_organisation(organisation)
    except NoSuchPartner:
        raise ConfigError("no such partner", f"--org {org}", "See `liaison partners list`, or give --org self") from None
    if if_missing and users.get(name) is not None:
        say(f"user {name} exists already; its password is unchanged "
            f"(`liaison users reset {name}` makes a new one-time password)")
        return
    if users.get(name) is not None:
        raise LiaisonError("a user has this name already", name, "Choose another name, or `liaison users reset` it")
    password = _read_password() if password_stdin else None
    try:
        made = users.add(name, organisation, admin, password)
    except NameTaken:
        raise LiaisonError("a user has this name already", name, "Choose another name") from None
    except NoSuchPartner:
        raise ConfigError("no such partner", f"--org {org}", "See `liaison partners list`") from None
    role = "administrator" if admin else "analyst" if organisation is None else f"member of {organisation}"
    say(f"user {name} added: {role}")
    if made is not None:
        _show_one_time(name, made)


@users_app.command("list")
def users_list(as_json: bool = common.JSON) -> None:
    """List users: organisation, role, when the password was set, whether disabled, failed sign-ins."""
    emit("Users", [Column("name", wrap=False), Column("organisation", wrap=False), Column("role"),
                   Column("created", wrap=False), Column("password_set", "password set", wrap=False),
                   Column("one_time", "one-time"), Column("disabled", wrap=False),
                   Column("failed_signins", "failed sign-ins", justify="right"),
                   Column("last_failed", "last failed (UTC)", wrap=False)],
         [u.row() for u in _users().list()], as_json)


@users_app.command("disable")
def users_disable(name: str = typer.Argument(..., help="The user's name.")) -> None:
    """Disable a user: it can no longer sign in (its record stays, for the audit log)."""
    from liaison.store.users import NoSuchUser

    try:
        changed = _users().disable(name)
    except NoSuchUser:
        raise _unknown(name) from None
    say(f"user {name} disabled" if changed else f"user {name} was disabled already")


@users_app.command("reset")
def users_reset(
    name: str = typer.Argument(..., help="The user's name."),
    password_stdin: bool = PASSWORD_STDIN,
) -> None:
    """Replace a user's password with a new one-time password (or the one read from standard input)."""
    from liaison.store.users import NoSuchUser

    users = _users()
    user = users.get(name)
    if user is None:
        raise _unknown(name)
    password = _read_password() if password_stdin else None
    try:
        made = users.reset(name, password)
    except NoSuchUser:
        raise _unknown(name) from None
    say(f"password of {name} replaced; the old one no longer works"
        + (" (the user is disabled and still cannot sign in)" if user.disabled else ""))
    if made is not None:
        _show_one_time(name, made)


COMMANDS: list = []
GROUPS = [(users_app, "users")]
