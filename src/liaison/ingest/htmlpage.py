"""HTML pages: the article's main text without navigation, and the page's metadata."""

from __future__ import annotations

from dataclasses import dataclass

import trafilatura

from liaison.errors import InputError


@dataclass(frozen=True)
class Page:
    text: str
    title: str | None
    outlet: str | None
    url: str | None
    published: str | None


def extract_page(html: str, name: str) -> Page:
    """Main text and metadata through trafilatura (boilerplate removal made for news pages)."""
    result = trafilatura.bare_extraction(
        html,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        favor_precision=True,
        deduplicate=False,
    )
    text = getattr(result, "text", None) if result is not None else None
    if not text or not text.strip():
        raise InputError("no article text found in the HTML page", name,
                         "Check that the page holds the article itself, not only a link to it")
    text = text.strip()
    title = getattr(result, "title", None)
    # trafilatura keeps the headline as the first line; the title is metadata, not body text.
    first, _, rest = text.partition("\n")
    if title and rest and first.strip() == title.strip():
        text = rest.strip()
    return Page(
        text=text,
        title=title,
        outlet=getattr(result, "sitename", None),
        url=getattr(result, "url", None),
        published=getattr(result, "date", None),
    )
