"""The `liaison` application: every command group registered in one explicit list."""

from __future__ import annotations

import sys

import typer

from liaison import __version__
from liaison.cli import documents, fusion, knowledge, maintenance, remote, server, sharing, users
from liaison.cli.render import err, say
from liaison.errors import LiaisonError

# The order here is the order of `liaison --help`: the pipeline's, then sharing's.
COMMAND_MODULES = [documents, knowledge, fusion, maintenance, sharing, users, server, remote]

app = typer.Typer(
    help="Liaison: from open reporting to sourced, shareable STIX 2.1 intelligence.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        say(f"liaison {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                 help="Print Liaison's version and exit."),
) -> None:
    """Liaison: from open reporting to sourced, shareable STIX 2.1 intelligence."""


for module in COMMAND_MODULES:
    for command in module.COMMANDS:
        app.command(name=command.__name__.replace("_", "-"))(command)
    for group, name in getattr(module, "GROUPS", []):
        app.add_typer(group, name=name)


def main() -> None:
    """Entry point: run the app, turning Liaison's errors into one line on standard error."""
    try:
        app()
    except LiaisonError as exc:
        err.print(f"Error: {exc.line()}", style="red", highlight=False, markup=False, soft_wrap=True)
        sys.exit(1)
    except KeyboardInterrupt:
        err.print("Interrupted.", style="red")
        sys.exit(130)
