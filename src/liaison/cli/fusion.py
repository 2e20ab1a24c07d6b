"""What fusion knows across documents, and the analyst's overrides of it (docs/fusion.md)."""

from __future__ import annotations

import typer

from liaison.cli import common, knowledge
from liaison.cli.render import ENTITY_STYLE, Column, emit, say, table
from liaison.errors import ConfigError
from liaison.model import EVENT_TYPES

TIMELINE_COLUMNS = [Column("date", wrap=False), Column("kind"), Column("type"), Column("what"), Column("figures"),
                    Column("sources"), Column("reports", justify="right")]
CONFLICT_COLUMNS = [Column("event"), Column("field"), Column("value", justify="right"), Column("document"),
                    Column("source"), Column("published", wrap=False)]

entities_app = typer.Typer(help="List entities across the stored documents, or merge and split them.",
                           invoke_without_command=True, no_args_is_help=False)


def _knowledge():  # noqa: ANN202
    from liaison.profiles import Knowledge

    return Knowledge(common.store())


def _share() -> None:
    """Collections that follow the store get what fusion just wrote (new versions, revocations)."""
    from liaison.store.sharing import Sharing

    Sharing(common.store()).sync_all()


def _who(by: str | None) -> str:
    import getpass

    try:
        return by or getpass.getuser()
    except Exception:  # noqa: BLE001  (no user name in a container without one)
        return "analyst"


@entities_app.callback()
def entities(
    ctx: typer.Context,
    type_: str = knowledge.ENTITY_TYPE,
    entity: str = knowledge.NAME_CONTAINS,
    since: str = knowledge.PUBLISHED_SINCE,
    until: str = knowledge.PUBLISHED_UNTIL,
    as_json: bool = common.JSON,
) -> None:
    """List entities across the stored documents (or: merge, split)."""
    if ctx.invoked_subcommand is not None:
        return
    knowledge.entities(type_=type_, entity=entity, since=since, until=until, as_json=as_json)


@entities_app.command()
def merge(
    first: str = typer.Argument(..., metavar="A", help="An entity: a name, alias or key."),
    second: str = typer.Argument(..., metavar="B", help="The entity to merge with A."),
    by: str = typer.Option(None, "--by", help="Who decides (default: your user name)."),
) -> None:
    """Make A and B one entity, for good: the decision is kept and outlasts re-ingest and re-resolution."""
    from liaison.fuse.records import Override

    k = _knowledge()
    a, b = k.find(first), k.find(second)
    if a == b:
        raise ConfigError("already one entity", f"{first} = {second}", "Nothing to merge")
    keys = tuple(sorted({n[1] for n, link in k.links.items() if link.entity in (a, b)}))
    report = k.fusion.add_override(Override("merge", keys, by=_who(by)))
    _share()
    say(f"merged {k.name(a)} and {k.name(b)} ({len(keys)} keys); {report.changed} links changed")


@entities_app.command()
def split(
    entity: str = typer.Argument(..., metavar="ENTITY", help="The entity: a name, alias or key."),
    mention: str = typer.Option(None, "--mention", help="Take out the mention in this document (id, stem, path or URL)."),
    alias: str = typer.Option(None, "--alias", help="Take out every mention written so."),
    by: str = typer.Option(None, "--by", help="Who decides (default: your user name)."),
) -> None:
    """Take mentions out of an entity into one of their own, for good (they are never linked back)."""
    from liaison.extract.gazetteer import fold
    from liaison.fuse.records import Override

    if (mention is None) == (alias is None):
        raise ConfigError("give one of --mention or --alias", "split", "Say which mentions to take out")
    k = _knowledge()
    target = k.find(entity)
    members = {n: m for n, m in k.nodes.items() if k.links.get(n) and k.links[n].entity == target}
    document = None
    if mention is not None:
        store = common.store()
        found = store.find_document(mention)
        if found is None:
            raise ConfigError("no such document in the store", f"--mention {mention}", "See `liaison documents`")
        document = found.id
        if not any(n[0] == document for n in members):
            raise ConfigError(f"{k.name(target)} is not named in that document", f"--mention {mention}",
                              f"See `liaison entity {entity!r}`")
    elif not any(fold(alias) in {fold(t) for t in m.names} for m in members.values()):
        raise ConfigError(f"{k.name(target)} is never written so", f"--alias {alias}",
                          f"See `liaison entity {entity!r}` for its aliases")
    keys = tuple(sorted({n[1] for n in members}))
    report = k.fusion.add_override(Override("split", keys, alias=alias, document=document, by=_who(by)))
    _share()
    say(f"split {k.name(target)}; {report.changed} links changed")


def entity(
    name: str = typer.Argument(..., metavar="NAME", help="A name or alias (typos are tolerated)."),
    as_json: bool = common.JSON,
) -> None:
    """One entity: its aliases with counts, roles over time, related entities, events and documents."""
    import json

    k = _knowledge()
    profile = k.profile(k.find(name))
    if as_json:
        print(json.dumps(profile, indent=2, ensure_ascii=False, default=str))
        return
    say(f"{profile['name']} ({profile['type']}), {len(profile['documents'])} documents")
    table("Aliases", [Column("name"), Column("documents", justify="right")], profile["aliases"])
    if profile["roles"]:
        table("Roles over time", [Column("role"), Column("first_seen", "from", wrap=False),
                                  Column("last_seen", "to", wrap=False)], profile["roles"])
    if profile["related"]:
        table("Related", [Column("name"), Column("type", style=ENTITY_STYLE), Column("documents", justify="right")],
              profile["related"])
    if profile["events"]:
        table("Events", [Column("date", wrap=False), Column("type"), Column("actors"), Column("location"),
                         Column("figures"), Column("document")], profile["events"])
    table("Documents", [Column("document"), Column("published", wrap=False)], profile["documents"])
    if profile.get("links"):  # why each of its names in each document is this entity
        table("Linked because", [Column("document"), Column("name"), Column("rule"),
                                 Column("score", justify="right"), Column("against")], profile["links"])


def timeline(
    entity: str = typer.Option(None, "--entity", help="Only events and facts of this entity (name or alias)."),
    type_: str = typer.Option(None, "--type", help=f"Only this event type: {', '.join(EVENT_TYPES)}."),
    since: str = knowledge.SINCE,
    until: str = knowledge.UNTIL,
    as_json: bool = common.JSON,
) -> None:
    """Dated events (one row per fused event, with all its sources) and facts, in time order."""
    since_d, until_d = knowledge.narrowed(type_, EVENT_TYPES, since, until)
    k = _knowledge()
    target = k.find(entity) if entity else None
    emit("Timeline", TIMELINE_COLUMNS, k.timeline(target, type_, since_d, until_d), as_json)


def conflicts(as_json: bool = common.JSON) -> None:
    """Figures and dates on which the sources of one event disagree, each claim with its source."""
    emit("Conflicting claims", CONFLICT_COLUMNS, _knowledge().conflicts(), as_json)


def resolve(
    all_: bool = typer.Option(False, "--all", help="Resolve every document again from nothing (else: only "
                              "documents not yet resolved)."),
) -> None:
    """Resolve entities and fuse events across the stored documents."""
    from liaison.store.fusion import Fusion

    store = common.store()
    fusion = Fusion(store)
    report = fusion.resolve_all() if all_ else fusion.update(fusion.unresolved())
    _share()
    table("Resolution", [Column(c, justify="right") for c in ("documents", "nodes", "changed", "stories",
                                                              "conflicts", "stix")],
          [{"documents": len(report.documents), "nodes": report.nodes, "changed": report.changed,
            "stories": report.stories, "conflicts": report.conflicts, "stix": report.published}])


COMMANDS = [entity, timeline, conflicts, resolve]
GROUPS = [(entities_app, "entities")]
