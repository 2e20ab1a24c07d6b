"""What the store knows across documents: entities, events."""

from __future__ import annotations

import typer

from liaison.cli import common
from liaison.cli.render import ENTITY_STYLE, Column, emit
from liaison.model import ENTITY_TYPES, EVENT_TYPES

ENTITY_COLUMNS = [Column("name"), Column("type", style=ENTITY_STYLE), Column("documents", justify="right"),
                  Column("mentions", justify="right"), Column("key")]
EVENT_COLUMNS = [Column("document"), Column("type"), Column("foiled"), Column("date", wrap=False), Column("actors"),
                 Column("targets"), Column("location"), Column("figures"), Column("source"),
                 Column("confidence", "conf", justify="right")]


def entities(
    type_: str = typer.Option(None, "--type", help=f"Only this type: {', '.join(ENTITY_TYPES)}."),
    entity: str = typer.Option(None, "--entity", help="Only names containing this text."),
    since: str = typer.Option(None, "--since", help="Only in documents published on or after this date."),
    until: str = typer.Option(None, "--until", help="Only in documents published on or before this date."),
    as_json: bool = common.JSON,
) -> None:
    """List entities across the stored documents."""
    from liaison import listings

    common.check_type(type_, ENTITY_TYPES, "--type")
    since_d, until_d = common.parse_date(since, "--since"), common.parse_date(until, "--until")
    emit("Entities", ENTITY_COLUMNS, listings.entities(common.store(), type_, entity, since_d, until_d), as_json)


def events(
    type_: str = typer.Option(None, "--type", help=f"Only this type: {', '.join(EVENT_TYPES)}."),
    entity: str = typer.Option(None, "--entity", help="Only events with an actor, target or place named so."),
    since: str = typer.Option(None, "--since", help=common.SINCE),
    until: str = typer.Option(None, "--until", help=common.UNTIL),
    as_json: bool = common.JSON,
) -> None:
    """List events across the stored documents, in date order."""
    from liaison import listings

    common.check_type(type_, EVENT_TYPES, "--type")
    since_d, until_d = common.parse_date(since, "--since"), common.parse_date(until, "--until")
    emit("Events", EVENT_COLUMNS, listings.events(common.store(), type_, entity, since_d, until_d), as_json)


# `entities` is the listing of the `entities` group (cli/fusion.py), beside its merge and split.
COMMANDS = [events]
