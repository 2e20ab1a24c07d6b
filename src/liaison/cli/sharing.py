"""Sharing: this installation's organisation, partners and their tokens, collections and grants, the audit log."""

from __future__ import annotations

import datetime as dt

import typer

from liaison.cli import common
from liaison.cli.render import Column, emit, say
from liaison.errors import ConfigError, LiaisonError

partners_app = typer.Typer(help="Partner organisations and their API tokens.", no_args_is_help=True)
collections_app = typer.Typer(help="TAXII collections and who may read or write them.", no_args_is_help=True)


def organisation(
    name: str = typer.Option(None, "--name", help="Rename it (a new version of its identity at the next ingest)."),
    as_json: bool = common.JSON,
) -> None:
    """Show this installation's organisation: the STIX identity that creates what it extracts.

    A partner server registers this installation under this identity (`liaison partners add
    --identity`) to accept what it pushes; its AMBER+STRICT and RED objects go back to it alone."""
    from liaison import listings

    settings = common.settings()
    row = listings.organisation(common.store(settings), name or settings.organisation)
    emit("This installation", [Column("identity", "STIX identity", wrap=False), Column("name"), Column("since")],
         [row], as_json)


def _show_token(partner_id: str, token: str, expires: dt.datetime | None) -> None:
    say(f"token for {partner_id} (shown once; only its hash is stored):")
    say(token)
    say("expires: " + (expires.strftime("%Y-%m-%d %H:%M UTC") if expires else "never"))
    say(f"use it as 'Authorization: Bearer <token>', or HTTP Basic with user {partner_id!r} and the token as password")


@partners_app.command("add")
def partners_add(
    partner_id: str = typer.Argument(..., help="Short id of the organisation (letters, digits, - and _)."),
    name: str = typer.Option(..., "--name", help="The organisation's name."),
    identity: str = typer.Option(None, "--identity", help="Its STIX identity id (default: made from the id)."),
    expires_in: int = typer.Option(None, "--expires-in", help="Days until the first token expires (default: never)."),
    if_missing: bool = typer.Option(False, "--if-missing", help="If the partner exists already, say so and succeed "
                                    "(its tokens are left as they are)."),
) -> None:
    """Add a partner organisation and print its first API token."""
    common.partner_id(partner_id)
    common.identity_id(identity)
    expires = common.expiry(expires_in)  # checked before anything is written
    if not name.strip():
        raise ConfigError("a partner needs a name", "--name", "Give the organisation's name")
    sharing = common.sharing()
    if if_missing and sharing.partner(partner_id) is not None:
        say(f"partner {partner_id} exists already; its tokens are unchanged "
            f"(`liaison partners token {partner_id} --rotate` issues a new one)")
        return
    try:
        row = sharing.add_partner(partner_id, name, identity)
    except ValueError as exc:
        hint = ("Give the identity its own `liaison organisation` shows" if "own identity" in str(exc)
                else "Use `liaison partners token` for a new token")
        raise LiaisonError(str(exc), partner_id, hint) from None
    say(f"partner {partner_id} added, STIX identity {row['identity_id']}")
    _show_token(partner_id, sharing.issue_token(partner_id, expires), expires)


@partners_app.command("token")
def partners_token(
    partner_id: str = typer.Argument(..., help="The partner's id."),
    expires_in: int = typer.Option(None, "--expires-in", help="Days until the token expires (default: never)."),
    rotate: bool = typer.Option(False, "--rotate", help="Revoke the partner's other tokens at the same time."),
) -> None:
    """Issue a new API token for a partner (with --rotate, the old ones stop working)."""
    expires = common.expiry(expires_in)
    try:
        token = common.sharing().issue_token(partner_id, expires, rotate=rotate)
    except KeyError:
        raise LiaisonError("no such partner", partner_id, "See `liaison partners list`") from None
    except ValueError as exc:
        raise LiaisonError(str(exc), partner_id, "Add it again under a new id") from None
    _show_token(partner_id, token, expires)


@partners_app.command("list")
def partners_list(as_json: bool = common.JSON) -> None:
    """List partner organisations."""
    from liaison import listings

    emit("Partners", [Column("id", wrap=False), Column("name"), Column("identity", "STIX identity", wrap=False),
                      Column("live_tokens", "live tokens", justify="right"), Column("added", wrap=False),
                      Column("revoked", wrap=False)], listings.partners(common.sharing()), as_json)


@partners_app.command("revoke")
def partners_revoke(partner_id: str = typer.Argument(..., help="The partner's id.")) -> None:
    """Revoke a partner and every token it holds; its grants stay for the record but no longer work."""
    if not common.sharing().revoke_partner(partner_id):
        raise LiaisonError("no such partner", partner_id, "See `liaison partners list`")
    say(f"partner {partner_id} revoked")


def _collection(sharing, ref: str) -> dict:  # noqa: ANN001
    found = sharing.collection(ref)
    if found is None:
        raise LiaisonError("no such collection", ref, "See `liaison collections list`")
    return found


@collections_app.command("add")
def collections_add(
    alias: str = typer.Argument(..., help="Short name of the collection."),
    title: str = typer.Option(None, "--title", help="Title shown to partners (default: the alias)."),
    description: str = typer.Option(None, "--description", help="What the collection holds."),
    default_tlp: str = typer.Option("amber", "--default-tlp",
                                    help="TLP level of objects that carry none: clear, green, amber, amber+strict, red."),
    public: bool = typer.Option(False, "--public", help="Anonymous clients may read its TLP:CLEAR objects."),
    from_store: bool = typer.Option(False, "--from-store",
                                    help="Holds every STIX object ingest stores, now and from now on."),
    if_missing: bool = typer.Option(False, "--if-missing", help="If the collection exists already, say so and succeed."),
) -> None:
    """Add a TAXII collection."""
    from liaison.stix.tlp import parse_level

    common.collection_alias(alias)
    try:
        level = parse_level(default_tlp)
    except ValueError as exc:
        raise ConfigError(str(exc), "--default-tlp", "Give one of clear, green, amber, amber+strict, red") from None
    sharing = common.sharing()
    if if_missing and sharing.collection(alias) is not None:
        say(f"collection {alias} exists already")
        return
    try:
        row = sharing.add_collection(alias, title or alias, description, level, public, from_store)
    except ValueError as exc:
        raise LiaisonError(str(exc), alias, "Choose another name") from None
    say(f"collection {alias} added: id {row['id']}")
    if from_store:
        n = sharing.sync_from_store(sharing.collection(row["id"]))
        say(f"{n} STIX objects from the store added")


@collections_app.command("list")
def collections_list(as_json: bool = common.JSON) -> None:
    """List collections with their readers, writers and object counts."""
    from liaison import listings

    emit("Collections", [Column("alias"), Column("id", wrap=False), Column("default_tlp", "default TLP"),
                         Column("public"), Column("follows_store", "from store"), Column("objects", justify="right"),
                         Column("readers"), Column("writers")], listings.collections(common.sharing()), as_json)


def _set_grant(collection: str, partner_id: str, read: bool, write: bool) -> str:
    """Set a partner's rights on a collection; returns the collection's alias."""
    sharing = common.sharing()
    col = _collection(sharing, collection)
    try:
        sharing.grant(col["id"], partner_id, read, write)
    except KeyError:
        raise LiaisonError("no such partner", partner_id, "See `liaison partners list`") from None
    return col["alias"]


@collections_app.command("grant")
def collections_grant(
    collection: str = typer.Argument(..., help="Collection alias or id."),
    partner_id: str = typer.Argument(..., help="The partner's id."),
    read: bool = typer.Option(True, "--read/--no-read", help="May read (default yes)."),
    write: bool = typer.Option(False, "--write/--no-write", help="May add and delete objects (default no)."),
) -> None:
    """Let a partner read (and with --write, write) a collection."""
    alias = _set_grant(collection, partner_id, read, write)
    rights = " and ".join(x for x, on in (("read", read), ("write", write)) if on) or "nothing"
    say(f"{partner_id} may {rights} {alias}")


@collections_app.command("revoke")
def collections_revoke(
    collection: str = typer.Argument(..., help="Collection alias or id."),
    partner_id: str = typer.Argument(..., help="The partner's id."),
) -> None:
    """Take a partner's access to a collection away."""
    alias = _set_grant(collection, partner_id, False, False)
    say(f"{partner_id} may no longer use {alias}")


def audit(
    partner: str = typer.Option(None, "--partner", help="Only this partner's requests."),
    since: str = typer.Option(None, "--since", help="Only requests on or after this date (YYYY-MM-DD)."),
    limit: int = typer.Option(50, "--limit", help="Most rows to show, newest first."),
    as_json: bool = common.JSON,
) -> None:
    """List who read or wrote what over TAXII, when and from where."""
    from liaison import listings

    common.at_least(limit, 1, "--limit")
    since_d = common.parse_date(since, "--since")
    since_t = dt.datetime.combine(since_d, dt.time(), tzinfo=dt.UTC) if since_d else None
    emit("Audit log (newest first)", [Column("when", "when (UTC)", wrap=False), Column("partner"), Column("from"),
                                      Column("request"), Column("status", justify="right"),
                                      Column("objects", justify="right")],
         listings.audit(common.sharing(), partner, since_t, limit), as_json)


COMMANDS = [organisation, audit]
GROUPS = [(partners_app, "partners"), (collections_app, "collections")]
