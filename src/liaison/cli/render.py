"""Everything the command line prints: tables that fit the terminal, JSON, one-line errors.

A table that cannot fit the terminal's width without cutting an identifier is printed
vertically instead, one block per row (as ``psql``'s expanded mode does), so that a STIX id a
partner must copy is never truncated or split. ``--json`` prints the same rows as a JSON array.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

out = Console()
err = Console(stderr=True)

ENTITY_STYLE = {
    "person": "bold cyan",
    "organization": "bold blue",
    "armed_group": "bold red",
    "government_body": "bold magenta",
    "country": "bold green",
    "place": "green",
    "facility": "yellow",
}

# Below this many characters a wrapped text column stops being readable.
_MIN_TEXT_WIDTH = 16


@dataclass(frozen=True)
class Column:
    """One column: the row key it shows, its header, and whether its values may wrap."""

    key: str
    header: str | None = None
    justify: str = "left"
    wrap: bool = True  # False for identifiers: shown whole or the table turns vertical
    style: dict[str, str] | None = None  # value -> rich style
    short: int | None = None  # show only this many leading characters (a prefix commands accept)

    @property
    def title(self) -> str:
        return self.header or self.key.replace("_", " ")


def cell(value: Any) -> str:  # noqa: ANN401
    """A value as a table shows it: lists joined, booleans as yes/blank, None as blank."""
    if value is None or value is False:
        return ""
    if value is True:
        return "yes"
    if isinstance(value, list | tuple):
        return ", ".join(cell(v) for v in value)
    return str(value)


def _shown(col: Column, row: dict[str, Any]) -> str:
    text = cell(row.get(col.key))
    return text[: col.short] if col.short else text


def _needed_width(columns: Sequence[Column], rows: Sequence[dict[str, Any]]) -> int:
    """The narrowest width at which every identifier fits whole and every text column stays readable."""
    total = 1 + 3 * len(columns)  # rich's borders and padding: "│ a │ b │"
    for col in columns:
        longest = max([len(col.title)] + [len(_shown(col, r)) for r in rows])
        if col.wrap:
            words = max([len(w) for r in rows for w in cell(r.get(col.key)).split()] or [0])
            total += min(longest, max(_MIN_TEXT_WIDTH, words if words <= 20 else _MIN_TEXT_WIDTH))
        else:
            total += longest
    return total


def table(title: str, columns: Sequence[Column], rows: Sequence[dict[str, Any]],
          console: Console | None = None) -> None:
    """Print ``rows`` as a table, or vertically when the terminal is too narrow for one."""
    console = console or out
    if rows and _needed_width(columns, rows) > console.width:
        _vertical(title, columns, rows, console)
        return
    t = Table(title=title)
    for col in columns:
        t.add_column(col.title, justify=col.justify, no_wrap=not col.wrap, overflow="fold")
    for r in rows:
        values = []
        for col in columns:
            text = _shown(col, r)
            style = (col.style or {}).get(text, "")
            values.append(Text(text, style=style))
        t.add_row(*values)
    console.print(t)


def _vertical(title: str, columns: Sequence[Column], rows: Sequence[dict[str, Any]], console: Console) -> None:
    console.print(Text(title, style="bold italic"), justify="center")
    for i, r in enumerate(rows, 1):
        console.rule(f"{i}", style="dim")
        grid = Table.grid(padding=(0, 1))
        grid.add_column(style="bold", no_wrap=True)
        grid.add_column(overflow="fold")  # wrapped values stay in their column; ids fold, never cut
        for col in columns:
            text = _shown(col, r)
            grid.add_row(col.title, Text(text, style=(col.style or {}).get(text, "")))
        console.print(grid)


def emit(title: str, columns: Sequence[Column], rows: Sequence[dict[str, Any]], as_json: bool) -> None:
    """A listing: JSON (every field of every row) with ``--json``, else a table of ``columns``."""
    if as_json:
        # Plain print: rich would colour and wrap it, and the output is for programs.
        print(json.dumps(list(rows), indent=2, default=str, ensure_ascii=False))
    else:
        table(title, columns, rows)


def note(message: str) -> None:
    """A line for the person at the terminal, on standard error (kept out of piped output)."""
    err.print(message, highlight=False, markup=False, soft_wrap=True)


def error(message: str) -> None:
    err.print(f"Error: {message}", style="red", highlight=False, markup=False, soft_wrap=True)


def say(message: str) -> None:
    out.print(message, highlight=False, markup=False, soft_wrap=True)


@contextlib.contextmanager
def document_progress(label: str) -> Iterator[Callable[[str, int], None]]:
    """A progress bar over documents on standard error, as ``progress(name, total)`` for the pipeline.

    It appears with the first document, so an error before any (a DOC not in the store) is a line
    with no empty bar above it."""
    bar = Progress(TextColumn(f"[bold]{label}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                   TextColumn("{task.description}"), console=err, transient=False)
    task = bar.add_task("", total=None)

    def tick(name: str, total: int) -> None:
        if not bar.live.is_started:
            bar.start()
        bar.update(task, total=total, advance=1, description=Path(name).name[:40])

    try:
        yield tick
    finally:
        if bar.live.is_started:
            bar.stop()
