"""What the endpoints of every mount use, built once per server process and reached as a FastAPI dependency.

The lifespan builds them before the first request (opening the store runs its migrations, and this
installation's organisation is looked up, made at first use); a host that runs no lifespan (a
TestClient used outside ``with``) gets them built on the first request instead.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request

from liaison.settings import Settings
from liaison.share.objects import Checker
from liaison.store import open_store
from liaison.store.database import Store
from liaison.store.sharing import Sharing


@dataclass
class Services:
    settings: Settings
    store: Store
    sharing: Sharing
    checker: Checker
    #: Ids no partner may post a version of: this installation's own organisation identity.
    own: frozenset[str]


def build(settings: Settings) -> Services:
    store = open_store(settings.resolved_database_url())  # brings the schema to the newest migration
    return Services(settings, store, Sharing(store), Checker(settings.validation_workers),
                    frozenset({store.organisation()["identity_id"]}))


_BUILDING = threading.Lock()


def of(app: Any) -> Services:
    """The app's services (``app.state.settings`` says how to build them), built once."""
    found = getattr(app.state, "services", None)
    if found is None:
        with _BUILDING:
            found = getattr(app.state, "services", None)
            if found is None:
                found = app.state.services = build(app.state.settings)
    return found


def services(request: Request) -> Services:
    return of(request.app)


Deps = Annotated[Services, Depends(services)]
