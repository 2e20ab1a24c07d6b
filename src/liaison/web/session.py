"""The session: a signed cookie (itsdangerous, keyed by the store's own secret, migration 0011) that
names the user, carries the CSRF token of this session, and says when it was issued.

Nothing about a session is kept on the server, so any server process of one store reads any
session; what ends one early is checked against the store on every request (deps.viewer): the
user disabled, the partner revoked, or the password changed after the session was issued. The
cookie is HttpOnly and SameSite=Lax, and Secure when the UI is served over TLS
(``LIAISON_SECURE_COOKIES``, docs/web.md)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from starlette.responses import Response

from liaison.clock import now

COOKIE = "liaison_session"
_SALT = "liaison-web-session"


@dataclass(frozen=True)
class Session:
    csrf: str
    user: str | None = None  # None: a visitor who has not signed in yet (the sign-in form still needs a token)
    issued: float = 0.0  # seconds since the epoch


class Expired(Exception):
    """The cookie was genuine but is older than the session lifetime."""


class Sessions:
    def __init__(self, secret: str, lifetime_s: int, secure: bool) -> None:
        self._serializer = URLSafeTimedSerializer(secret, salt=_SALT)
        self.lifetime_s = lifetime_s
        self.secure = secure

    def read(self, cookie: str | None) -> Session | None:
        """The session in the cookie, None when there is none or it was not made here; raises Expired
        for a signed-in session past its lifetime (so the page can say so)."""
        if not cookie:
            return None
        try:
            data = self._serializer.loads(cookie, max_age=self.lifetime_s)
        except SignatureExpired:
            raise Expired from None
        except BadSignature:
            return None
        if not isinstance(data, dict) or not isinstance(data.get("c"), str):
            return None
        user = data.get("u")
        return Session(csrf=data["c"], user=user if isinstance(user, str) else None, issued=float(data.get("t", 0)))

    @staticmethod
    def new(user: str | None = None) -> Session:
        """A fresh session, with a fresh CSRF token (a sign-in always gets a new one: no fixation)."""
        return Session(csrf=secrets.token_urlsafe(32), user=user, issued=now().timestamp())

    def write(self, response: Response, session: Session) -> None:
        value = self._serializer.dumps({"c": session.csrf, "u": session.user, "t": session.issued})
        response.set_cookie(COOKIE, value, max_age=self.lifetime_s, httponly=True, samesite="lax",
                            secure=self.secure, path="/")

    @staticmethod
    def clear(response: Response) -> None:
        response.delete_cookie(COOKIE, path="/", httponly=True, samesite="lax")
