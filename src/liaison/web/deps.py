"""Who is asking, and whether a form really comes from this site: the dependencies of every page.

``viewer`` turns the session cookie into a ``Viewer``: the user as the store knows them now (a
disabled user, a member of a revoked partner, or a session issued before the password last changed
is signed out) and the ``Actor`` the one access rule reads for them (Users.actor). A page without
a signed-in user answers with a redirect to the sign-in page, which returns there afterwards.
``checked`` is the CSRF check of every state-changing request: the session's token, in the form's
``csrf_token`` field or an ``X-CSRF-Token`` header (htmx sends it), compared in constant time.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hmac
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, FastAPI, Request
from fastapi.responses import RedirectResponse, Response

from liaison.store.access import Actor
from liaison.store.secrets import secret
from liaison.store.users import User, Users
from liaison.web.session import COOKIE, Expired, Session, Sessions


def services(request: Request) -> Any:  # noqa: ANN401 (liaison.share.services.Services, provided by the root)
    """The server's services (settings, store, sharing), which the composition root provides."""
    return request.app.state.provide_services(request.app)


Services = Annotated[Any, Depends(services)]


def sessions(request: Request) -> Sessions:
    app = request.app
    found = getattr(app.state, "web_sessions", None)
    if found is None:
        svc = services(request)
        found = app.state.web_sessions = Sessions(secret(svc.store, "web_session"),
                                                  int(svc.settings.session_hours * 3600),
                                                  svc.settings.secure_cookies)
    return found


class SignInRequired(Exception):
    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.message = message


class Forbidden(Exception):
    """A request this viewer may not make (a partner's member on an own-analyst action, a bad CSRF
    token): answered with an HTML page saying what to do."""

    def __init__(self, title: str, description: str, status: int = 403) -> None:
        super().__init__(title)
        self.title, self.description, self.status = title, description, status


@dataclass(frozen=True)
class Viewer:
    user: User
    actor: Actor
    session: Session

    @property
    def name(self) -> str:
        return self.user.name

    @property
    def csrf(self) -> str:
        return self.session.csrf

    @property
    def own(self) -> bool:
        """This installation's analyst or administrator: sees everything, may ingest and re-mark."""
        return self.actor.own

    @property
    def admin(self) -> bool:
        return self.actor.administrator


def current_session(request: Request) -> Session | None:
    """The visitor's session (signed in or not), None when the cookie is missing or forged; raises
    SignInRequired for an expired one."""
    try:
        return sessions(request).read(request.cookies.get(COOKIE))
    except Expired:
        raise SignInRequired("Your session expired: sign in again.") from None


def viewer(request: Request, svc: Services) -> Viewer:
    session = current_session(request)
    if session is None or session.user is None:
        raise SignInRequired()
    users = Users(svc.store)
    user = users.get(session.user)
    if user is None or not user.may_sign_in:
        raise SignInRequired("This account may no longer sign in.")
    changed = user.password_set_at if user.password_set_at.tzinfo else user.password_set_at.replace(tzinfo=dt.UTC)
    if changed.timestamp() > session.issued:
        raise SignInRequired("The password was changed: sign in again.")
    request.state.user_name, request.state.partner_id = user.name, user.organisation
    if user.must_change and request.url.path != "/password":
        raise SignInRequired("")  # handled below: a one-time password must be changed first
    user = users.visit(user)
    return Viewer(user, users.actor(user), session)


Signed = Annotated[Viewer, Depends(viewer)]


async def checked(request: Request, who: Signed) -> Viewer:
    """The viewer, once the request's CSRF token is this session's (every POST depends on this)."""
    sent = request.headers.get("x-csrf-token")
    if sent is None:
        form = await request.form()
        value = form.get("csrf_token")
        sent = value if isinstance(value, str) else None
    if not sent or not hmac.compare_digest(sent.encode(), who.csrf.encode()):
        raise Forbidden("The form was out of date", "It did not carry this session's token (a page open from "
                        "before you signed in again, or a form from another site). Reload the page and try again.")
    return who


Checked = Annotated[Viewer, Depends(checked)]


def own_analyst(who: Viewer) -> None:
    """Refuses what only this installation's analysts may do (ingest, re-mark)."""
    if not who.own:
        raise Forbidden("Not for partner members", "Only this installation's analysts may do this.")


def install(app: FastAPI) -> None:
    from liaison.web.render import error_page

    @app.exception_handler(SignInRequired)
    async def to_sign_in(request: Request, exc: SignInRequired) -> Response:
        session = None
        with contextlib.suppress(Expired):
            session = sessions(request).read(request.cookies.get(COOKIE))
        # A signed-in user with a one-time password goes to change it; anyone else signs in.
        if session and session.user and not exc.message and request.url.path != "/password":
            user = Users(services(request).store).get(session.user)
            if user is not None and user.may_sign_in and user.must_change:
                return _redirect(request, "/password")
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        where = f"/login?next={quote(target, safe='')}"
        if exc.message:
            where += f"&why={quote(exc.message, safe='')}"
        return _redirect(request, where)

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, exc: Forbidden) -> Response:
        return error_page(exc.status, exc.title, exc.description)


def _redirect(request: Request, where: str) -> Response:
    if request.headers.get("hx-request"):  # htmx follows a redirect inside the page; this makes it leave
        return Response(status_code=204, headers={"HX-Redirect": where})
    return RedirectResponse(where, status_code=303)
