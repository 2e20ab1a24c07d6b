"""Signing in and out, and changing a password (a one-time one first of all).

Guessing is slowed twice over: per user name, by the store's count of failures in a row
(Users.wait_before_next_try: free for five, then doubling to 15 minutes), and per client address
by a window of failures kept in this process (``ATTEMPTS`` in ``WINDOW_S``), so that one client
cannot try many names either. Both answer 429 with a Retry-After and a line saying how long.
The sign-in form carries a CSRF token too (the visitor's session before sign-in), and a sign-in
always starts a new session, so a token or cookie planted before it is worth nothing after."""

from __future__ import annotations

import collections
import math
import threading
import time
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from liaison.store.users import MAX_PASSWORD, Users, WeakPassword, check_password
from liaison.web.deps import Checked, Forbidden, Services, Signed, SignInRequired, current_session, sessions
from liaison.web.render import page

router = APIRouter(include_in_schema=False)

ATTEMPTS = 20
WINDOW_S = 600.0
_LOCK = threading.Lock()


def _client(request: Request) -> str:
    return request.client.host if request.client else "-"


def _failures(request: Request) -> dict[str, collections.deque[float]]:
    """This app's recent failures by client address (one server process's view)."""
    state = request.app.state
    if not hasattr(state, "signin_failures"):
        state.signin_failures = collections.defaultdict(collections.deque)
    return state.signin_failures


def _address_wait(request: Request, address: str) -> float:
    with _LOCK:
        seen = _failures(request)[address]
        cutoff = time.monotonic() - WINDOW_S
        while seen and seen[0] < cutoff:
            seen.popleft()
        return seen[0] + WINDOW_S - time.monotonic() if len(seen) >= ATTEMPTS else 0.0


def _failed(request: Request, address: str) -> None:
    with _LOCK:
        _failures(request)[address].append(time.monotonic())


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a path on this site only (never //host or a scheme), else the dashboard."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")) or any(c in target for c in "\r\n"):
        return "/"
    return target


def _form(request: Request, svc, status: int = 200, message: str = "", name: str = "",  # noqa: ANN001
          target: str = "/", headers: dict[str, str] | None = None) -> Response:
    try:
        session = current_session(request)
    except SignInRequired:  # an expired session: the form starts a new one
        session = None
    if session is None or session.user is not None:
        session = sessions(request).new()
    response = page(request, "signin.html", None, status, message=message, name=name, next=target,
                    csrf=session.csrf, why=request.query_params.get("why", ""))
    sessions(request).write(response, session)
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


@router.get("/login")
def sign_in_form(request: Request, svc: Services, next: str = "/") -> Response:  # noqa: A002
    return _form(request, svc, target=safe_next(next))


@router.post("/login")
def sign_in(request: Request, svc: Services, name: Annotated[str, Form(max_length=200)] = "",
            password: Annotated[str, Form(max_length=MAX_PASSWORD + 1)] = "",
            csrf_token: Annotated[str, Form(max_length=200)] = "", next: Annotated[str, Form(max_length=2000)] = "/",  # noqa: A002
            ) -> Response:
    target = safe_next(next)
    try:
        session = current_session(request)
    except SignInRequired:
        session = None
    if session is None or not csrf_token or csrf_token != session.csrf:
        return _form(request, svc, 403, "The sign-in form was out of date: try again.", name, target)
    address = _client(request)
    wait = _address_wait(request, address)
    users = Users(svc.store)
    known = users.get(name) if name else None
    if known is not None:
        wait = max(wait, users.wait_before_next_try(known))
    if wait > 0:
        seconds = math.ceil(wait)
        return _form(request, svc, 429, f"Too many failed sign-ins: wait {seconds} s and try again.", name, target,
                     {"Retry-After": str(seconds)})
    user = users.verify(name, password) if name and password else None
    if user is None:
        _failed(request, address)
        return _form(request, svc, 401, "Wrong name or password, or the account may not sign in.", name, target)
    user = users.visit(user, signing_in=True)
    response = RedirectResponse("/password" if user.must_change else target, status_code=303)
    sessions(request).write(response, sessions(request).new(user.name))
    return response


@router.post("/logout")
def sign_out(request: Request, who: Checked) -> Response:
    response = RedirectResponse("/login?why=" + "You+are+signed+out.", status_code=303)
    sessions(request).clear(response)
    return response


@router.get("/password")
def password_form(request: Request, who: Signed) -> Response:
    return page(request, "password.html", who, message="")


@router.post("/password")
def change_password(request: Request, svc: Services, who: Checked,
                    current: Annotated[str, Form(max_length=MAX_PASSWORD + 1)] = "",
                    new: Annotated[str, Form(max_length=MAX_PASSWORD + 1)] = "",
                    again: Annotated[str, Form(max_length=MAX_PASSWORD + 1)] = "") -> Response:
    if new != again:
        return page(request, "password.html", who, 400, message="The two new passwords differ.")
    try:
        check_password(new)
    except WeakPassword as exc:
        return page(request, "password.html", who, 400, message=str(exc))
    if new == current:
        return page(request, "password.html", who, 400, message="Choose a password other than the current one.")
    if not Users(svc.store).change(who.name, current, new):
        raise Forbidden("Wrong current password", "Type the password you signed in with, then the new one twice.",
                        400)
    response = RedirectResponse("/?changed=1", status_code=303)
    sessions(request).write(response, sessions(request).new(who.name))  # a session issued after the change
    return response
