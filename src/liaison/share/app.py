"""The ASGI app, the composition root: the TAXII 2.1 API under /taxii2/ and the web UI at /.

One FastAPI app, so the API has an OpenAPI description (at /openapi.json) that schemathesis and
partners' tooling can read. Each mount brings its routers, its error format and what else is its
own (``liaison.share.taxii.mount``, ``liaison.web.mount``); endpoints reach the store, the sharing tables and the POST
checker as a dependency (``liaison.share.services``), built in the lifespan: migrations and the
organisation lookup run there, before the first request. `liaison serve` runs ``create_app``
under uvicorn with as many worker processes as configured.
"""

from __future__ import annotations

import contextlib
import gc
import threading
from contextlib import asynccontextmanager

from fastapi import FastAPI
from sqlalchemy import func, select

from liaison import __version__, web
from liaison.settings import Settings
from liaison.share import errors, services, taxii
from liaison.share.taxii import API, ROOT, STIX, TAXII, TaxiiError
from liaison.store.database import Store
from liaison.store.reading import events, search
from liaison.store.schema import DocumentRow

__all__ = ["API", "ROOT", "STIX", "TAXII", "TaxiiError", "create_app"]


@asynccontextmanager
async def lifespan(app: FastAPI):  # noqa: ANN201
    built = services.of(app)  # opens (migrates) the store and looks up this installation's organisation
    built.checker.start()  # in the main thread, before serving: it spawns the pool with SIGINT ignored
    # The names search and the events filter look in, read while the first pages are served (seconds
    # on a large store).
    threading.Thread(target=_quietly, args=((search.warm, events.warm, _freeze), built.store), name="names-warm",
                     daemon=True).start()
    try:
        yield
    finally:
        built.checker.stop()


#: A store of more documents than this has its start's objects frozen (``_freeze``).
FREEZE_DOCUMENTS = 5000


def _freeze(store: Store) -> None:
    """What start made (the app, the store, the names indexes just read) lives as long as the
    server: moved out of the cyclic collector's generations, a full collection no longer walks it.
    At 100,000 documents those indexes are millions of objects, and each full collection took
    170-300 ms, paid by whichever request set it off; frozen, 20-30 ms (bench/RESULTS.md, "Web UI
    at 100,000 documents"). Objects made later are collected as before. A small store's heap is
    small and is left as it is (a test process makes many apps)."""
    with store.engine.connect() as conn:
        documents = conn.execute(select(func.count()).select_from(DocumentRow.__table__)).scalar_one()
    if documents > FREEZE_DOCUMENTS:
        gc.collect()
        gc.freeze()


def _quietly(works, *args) -> None:  # noqa: ANN001
    """Warm-ups that may fail (a store closed under them in a test): the first request does the work instead."""
    for work in works:
        with contextlib.suppress(Exception):
            work(*args)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    app = FastAPI(title=f"{settings.title} TAXII 2.1", version=__version__, docs_url=None, redoc_url=None,
                  lifespan=lifespan)
    app.state.settings = settings
    app.state.provide_services = services.of  # what the web mount reaches the store through
    errors.install(app)
    errors.register(app, "/", web.error_page)
    taxii.mount(app)
    web.mount(app)
    return app
