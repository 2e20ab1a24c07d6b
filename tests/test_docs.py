"""The documentation keeps up with the code: settings, commands, defaults and event types are all written up."""

from __future__ import annotations

import re

import pytest
import typer
from typer.testing import CliRunner

from conftest import ROOT
from liaison.cli import app
from liaison.model import EVENT_TYPES
from liaison.settings import Settings, allowed

README = ROOT / "README.md"
DOCS = sorted((ROOT / "docs").glob("*.md"))
CONFIGURATION = ROOT / "docs" / "configuration.md"
EXTRACTION = ROOT / "docs" / "extraction.md"
CLICK = typer.main.get_command(app)


def _commands(group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command and subcommand, as the words a user types after `liaison`."""
    found = []
    for name, command in group.commands.items():
        found.append((*prefix, name))
        if hasattr(command, "commands"):  # a group (typer vendors its own click)
            found.extend(_commands(command, (*prefix, name)))
    return found


COMMANDS = [" ".join(words) for words in _commands(CLICK)]
TOP = list(CLICK.commands)


def test_the_app_has_its_commands_and_subcommands():
    # Guards the walk itself: a walk that found nothing would make every test below pass.
    assert {"ingest", "serve", "partners add", "collections grant"} <= set(COMMANDS)


@pytest.mark.parametrize("command", COMMANDS)
def test_command_help_exits_zero(command: str):
    result = CliRunner().invoke(app, [*command.split(), "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_is_in_the_readme(command: str):
    assert re.search(rf"\bliaison {re.escape(command)}\b", README.read_text(encoding="utf-8")), (
        f"`liaison {command}` is not described in README.md"
    )


def _readme_help_block() -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index("$ liaison --help")
    return text[start : text.index("```", start)]


def test_the_readmes_help_lists_every_command_in_order_with_its_summary():
    block = _readme_help_block()
    block = block[block.index("Commands") :]
    listed = re.findall(r"^│ (\S+) {2,}(.+?)\s*│$", block, flags=re.M)
    assert [name for name, _ in listed] == TOP
    for name, summary in listed:
        command = CLICK.commands[name]
        expected = (command.help or "").strip().splitlines()[0]
        assert expected.startswith(summary.rstrip(".… ")), f"README's summary of `liaison {name}` is out of date"


def _configuration_rows() -> dict[str, tuple[str, str]]:
    rows = {}
    for line in CONFIGURATION.read_text(encoding="utf-8").splitlines():
        m = re.match(r"\| `LIAISON_\w+` \| `(\w+)` \| (.*?) \| (.*?) \|", line)
        if m:
            rows[m.group(1)] = (m.group(2), m.group(3))
    return rows


@pytest.mark.parametrize("field", sorted(Settings.model_fields))
def test_every_setting_is_in_the_configuration_page_with_its_default_and_range(field: str):
    rows = _configuration_rows()
    assert field in rows, f"LIAISON_{field.upper()} (Settings.{field}) is not in docs/configuration.md's table"
    documented_default, documented_allowed = rows[field]
    default = Settings.model_fields[field].default
    if isinstance(default, int | str) and not isinstance(default, bool):
        assert documented_default == f"`{default}`", f"docs say LIAISON_{field.upper()} defaults to {documented_default}"
    assert documented_allowed == allowed(field)


_DEFAULT_IN_PROSE = re.compile(r"`LIAISON_(\w+)`\s*\(default\s+`?([\w.,]*\w)`?")


@pytest.mark.parametrize("page", [README, *DOCS], ids=lambda p: p.name)
def test_defaults_written_in_prose_match_the_code(page):
    for name, value in _DEFAULT_IN_PROSE.findall(page.read_text(encoding="utf-8")):
        field = name.lower()
        if field in Settings.model_fields:
            default = Settings.model_fields[field].default
            written = int(value.replace(",", "")) if isinstance(default, int) else value
            assert written == default, f"{page.name} says LIAISON_{name} defaults to {value}"


def test_a_setting_out_of_range_is_one_line_naming_the_variable(monkeypatch):
    monkeypatch.setenv("LIAISON_PAGE_SIZE", "0")
    from liaison.cli import common
    from liaison.errors import ConfigError

    with pytest.raises(ConfigError) as caught:
        common.settings()
    assert "LIAISON_PAGE_SIZE" in caught.value.line() and "\n" not in caught.value.line()


@pytest.mark.parametrize("event_type", EVENT_TYPES)
def test_every_event_type_is_in_the_extraction_page(event_type: str):
    assert f"`{event_type}`" in EXTRACTION.read_text(encoding="utf-8"), (
        f"event type {event_type} is not described in docs/extraction.md"
    )
