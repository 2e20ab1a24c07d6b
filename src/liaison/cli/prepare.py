"""``python -m liaison.cli.prepare``: build, once per installation, what every ingest loads.

The GeoNames place index takes about 15 s to build and 0.3 s to load from its disk cache.
``make setup`` runs this module, so that no user's first ingest (in any home) pays the build;
where it was not run, the first ingest builds the cache itself, after one line saying so.
Not a ``liaison`` command: it is part of installing Liaison, not of using it.
"""

from __future__ import annotations

import sys

from liaison.cli.render import err, note
from liaison.errors import LiaisonError


def main() -> None:
    from liaison.cli import common
    from liaison.extract.gazetteer import place_cache_file
    from liaison.pipeline import prepare, use_caches

    try:
        settings = common.settings()
        use_caches(settings)
        cache = place_cache_file() or prepare(  # present: nothing to do
            settings, notice=lambda _: note("Building the place index (GeoNames) for this installation: about 15 s."))
    except LiaisonError as exc:
        err.print(f"Error: {exc.line()}", style="red", highlight=False, markup=False, soft_wrap=True)
        sys.exit(1)
    note(f"place index cache: {cache}" if cache else
         "place index: no cache folder could be written; every ingest will build the index again")


if __name__ == "__main__":
    main()
