"""The documentation keeps up with the code: settings, commands and event types are all written up."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from conftest import ROOT
from liaison.cli import app
from liaison.model import EVENT_TYPES
from liaison.settings import Settings

README = ROOT / "README.md"
CONFIGURATION = ROOT / "docs" / "configuration.md"
EXTRACTION = ROOT / "docs" / "extraction.md"


def _command_names() -> list[str]:
    """Every command registered on the Typer app, named as Typer names it on the command line."""
    names = []
    for info in app.registered_commands:
        name = info.name or info.callback.__name__.replace("_", "-")
        names.append(name)
    return names


COMMANDS = _command_names()


def test_the_app_has_commands_to_document():
    assert COMMANDS, "no commands found on liaison.cli.app"


@pytest.mark.parametrize("field", sorted(Settings.model_fields))
def test_every_setting_is_in_the_configuration_page(field: str):
    variable = f"LIAISON_{field.upper()}"
    assert re.search(rf"\b{variable}\b", CONFIGURATION.read_text(encoding="utf-8")), (
        f"{variable} (Settings.{field}) is not described in docs/configuration.md"
    )


def test_top_level_help_exits_zero():
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0, result.output
    for name in COMMANDS:
        assert name in result.output


@pytest.mark.parametrize("command", COMMANDS)
def test_command_help_exits_zero(command: str):
    result = CliRunner().invoke(app, [command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_is_in_the_readme(command: str):
    assert re.search(rf"\bliaison {re.escape(command)}\b", README.read_text(encoding="utf-8")), (
        f"`liaison {command}` is not described in README.md"
    )


@pytest.mark.parametrize("event_type", EVENT_TYPES)
def test_every_event_type_is_in_the_extraction_page(event_type: str):
    assert f"`{event_type}`" in EXTRACTION.read_text(encoding="utf-8"), (
        f"event type {event_type} is not described in docs/extraction.md"
    )
