"""TAXII's paging and match[...] parameters, parsed and checked as dependencies of the endpoints that take them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Query

from liaison.clock import normalise_timestamp
from liaison.share.services import Deps
from liaison.share.taxii.http import TaxiiError, split


def _page_limit(limit: int | None, page_size: int) -> int:
    if limit is not None and limit < 1:
        raise TaxiiError(400, "Bad limit", "limit must be a positive integer")
    return min(limit or page_size, page_size)


def _cursor(next_: str | None) -> int | None:
    if next_ is None or next_ == "":
        return None
    if not next_.isdigit():
        raise TaxiiError(400, "Bad next", "next must be a value this server returned")
    return int(next_)


def _timestamp(value: str | None, name: str) -> str | None:
    if value is None:
        return None
    try:
        return normalise_timestamp(value)
    except ValueError:
        raise TaxiiError(400, f"Bad {name}", f"{name} must be an RFC 3339 timestamp") from None


def versions(value: str | None) -> list[str] | None:
    out = [v if v in ("first", "last", "all") else _timestamp(v, "match[version]") for v in split(value) or []]
    return out or None


@dataclass
class Filters:
    """A request's TAXII filters, parsed and checked: the keyword arguments of Sharing.query."""

    limit: int
    after_seq: int | None
    added_after: str | None
    spec_versions: list[str] | None
    versions: list[str] | None = None
    ids: list[str] | None = None
    types: list[str] | None = None

    @property
    def first_page(self) -> bool:
        return self.after_seq is None and self.added_after is None


def page_filters(
    svc: Deps,
    limit: int | None = None,
    next_: Annotated[str | None, Query(alias="next")] = None,
    added_after: str | None = None,
    match_spec_version: Annotated[str | None, Query(alias="match[spec_version]")] = None,
) -> Filters:
    """What every paged endpoint takes (versions of an object: these alone)."""
    return Filters(_page_limit(limit, svc.settings.page_size), _cursor(next_),
                   _timestamp(added_after, "added_after"), split(match_spec_version))


def object_filters(
    page: Annotated[Filters, Depends(page_filters)],
    match_version: Annotated[str | None, Query(alias="match[version]")] = None,
) -> Filters:
    """Get an object: paging plus match[version]."""
    page.versions = versions(match_version)
    return page


def list_filters(
    page: Annotated[Filters, Depends(object_filters)],
    match_id: Annotated[str | None, Query(alias="match[id]")] = None,
    match_type: Annotated[str | None, Query(alias="match[type]")] = None,
) -> Filters:
    """Get objects and the manifest: everything, match[id] and match[type] included."""
    page.ids, page.types = split(match_id), split(match_type)
    return page
