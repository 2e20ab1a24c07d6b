"""Users who sign in: this installation's analysts and administrators, and members of partners.

A user belongs to one organisation: this installation's own (``organisation`` None; an analyst, or
an administrator) or a partner (its id), and reads what the one access rule gives that organisation
(``actor``, liaison.store.access). Passwords are kept only as argon2id hashes (argon2-cffi, its
RFC 9106 defaults), so a copied database gives no password away; a password this module makes
(``add`` or ``reset`` without one) is returned once, for the person to change at first sign-in
(``must_change``). There is no default account: every user is made by an administrator.

``verify`` takes the same time whether the name is known or not (an unknown name is checked against
a hash of a random secret), so a sign-in form does not tell which names exist; a disabled user, or a
member of a revoked partner, never verifies; each failed attempt on a known name is counted, with
its time, for the sign-in's rate limit.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass, replace
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from liaison.clock import now
from liaison.store.access import Actor, administrator, own_analyst, partner_member
from liaison.store.database import Store
from liaison.store.schema import PartnerRow, UserRow

#: A user name: what a person types at the sign-in form (an e-mail address fits).
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.@+-]{0,63}")
#: The organisation argument that names this installation's own.
SELF = "self"
MIN_PASSWORD = 12
#: Failed sign-ins in a row that cost no wait (``Users.wait_before_next_try``).
FREE_TRIES = 5
MAX_PASSWORD = 1024  # argon2 reads any length; a bound keeps a sign-in form from being a hashing service

_HASHER = PasswordHasher()
_DUMMY: list[str] = []  # a hash of a random secret, made at first need: what an unknown name is checked against

UT = UserRow.__table__
PT = PartnerRow.__table__


class NoSuchUser(KeyError):
    """No user has this name."""


class NoSuchPartner(KeyError):
    """The organisation named is no registered partner."""


class NameTaken(ValueError):
    """A user has this name already."""


class WeakPassword(ValueError):
    """A password that is too short (or too long, or not one line)."""


class BadName(ValueError):
    """A user name outside ``NAME``."""


@dataclass(frozen=True)
class User:
    """A user as every face sees it: never the password or its hash."""

    id: int
    name: str
    organisation: str | None  # None: this installation's own
    admin: bool
    created_at: dt.datetime
    password_set_at: dt.datetime
    must_change: bool
    disabled_at: dt.datetime | None
    failed_signins: int
    last_failed_at: dt.datetime | None
    partner_identity: str | None = None  # the partner's STIX identity, for a partner's member
    last_visit_at: dt.datetime | None = None  # when the visit before this one began
    this_visit_at: dt.datetime | None = None  # when this visit began
    partner_revoked: bool = False  # a member of a revoked partner may no longer sign in or stay signed in

    @property
    def own(self) -> bool:
        return self.organisation is None

    @property
    def role(self) -> str:
        return "administrator" if self.admin else "analyst" if self.own else "member"

    @property
    def disabled(self) -> bool:
        return self.disabled_at is not None

    @property
    def may_sign_in(self) -> bool:
        return not self.disabled and not self.partner_revoked

    def row(self) -> dict[str, Any]:
        """The user as a listing shows it (JSON-serialisable; no hash)."""
        return {"name": self.name, "organisation": self.organisation or SELF, "role": self.role,
                "created": _day(self.created_at), "password_set": _day(self.password_set_at),
                "one_time": self.must_change, "disabled": _day(self.disabled_at),
                "failed_signins": self.failed_signins, "last_failed": _minute(self.last_failed_at)}


def _day(value: dt.datetime | None) -> str | None:
    return value.isoformat()[:10] if value else None


def _minute(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    return (value.astimezone(dt.UTC) if value.tzinfo else value).strftime("%Y-%m-%d %H:%M")


def check_name(name: str) -> str:
    if not NAME.fullmatch(name):
        raise BadName("a user name is 1-64 letters, digits, '.', '_', '@', '+' or '-', starting with a letter or digit")
    return name


def check_password(password: str) -> str:
    """``password`` unchanged when it may be set; WeakPassword saying why not (never echoing it)."""
    if len(password) < MIN_PASSWORD:
        raise WeakPassword(f"a password needs at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise WeakPassword(f"a password has at most {MAX_PASSWORD} characters")
    if "\n" in password or "\r" in password or "\0" in password:
        raise WeakPassword("a password is one line")
    if len(set(password)) < 4:
        raise WeakPassword("a password needs more than a few distinct characters")
    return password


def one_time_password() -> str:
    """A random password to be changed at first sign-in: 24 URL-safe characters (144 bits)."""
    return secrets.token_urlsafe(18)


def _hash(password: str) -> str:
    return _HASHER.hash(password)


def _matches(password_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _dummy_hash() -> str:
    if not _DUMMY:
        _DUMMY.append(_hash(secrets.token_urlsafe(18)))
    return _DUMMY[0]


_COLUMNS = [UT.c.id, UT.c.name, UT.c.organisation, UT.c.admin, UT.c.created_at, UT.c.password_set_at,
            UT.c.must_change, UT.c.disabled_at, UT.c.failed_signins, UT.c.last_failed_at,
            UT.c.last_visit_at, UT.c.this_visit_at, PT.c.identity_id.label("partner_identity"),
            PT.c.revoked_at.label("partner_revoked")]


def _user(row: Any) -> User:  # noqa: ANN401 (a Row mapping)
    return User(id=row["id"], name=row["name"], organisation=row["organisation"], admin=bool(row["admin"]),
                created_at=row["created_at"], password_set_at=row["password_set_at"],
                must_change=bool(row["must_change"]), disabled_at=row["disabled_at"],
                failed_signins=row["failed_signins"], last_failed_at=row["last_failed_at"],
                partner_identity=row["partner_identity"], last_visit_at=row["last_visit_at"],
                this_visit_at=row["this_visit_at"], partner_revoked=row["partner_revoked"] is not None)


def _select():  # noqa: ANN202 (a Select)
    return select(*_COLUMNS).select_from(UT.outerjoin(PT, PT.c.id == UT.c.organisation))


class Users:
    """The users table over one Store's engine."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.engine = store.engine

    # ------------------------------------------------------------ reading
    def get(self, name: str) -> User | None:
        with self.engine.connect() as conn:
            row = conn.execute(_select().where(UT.c.name == name)).mappings().first()
        return _user(row) if row else None

    def list(self) -> list[User]:
        with self.engine.connect() as conn:
            rows = conn.execute(_select().order_by(UT.c.name)).mappings().all()
        return [_user(r) for r in rows]

    def check_organisation(self, organisation: str | None) -> None:
        """Raises NoSuchPartner when ``organisation`` (a partner id; None: this installation) is not registered."""
        if organisation is None:
            return
        with self.engine.connect() as conn:
            if conn.execute(select(PT.c.id).where(PT.c.id == organisation)).first() is None:
                raise NoSuchPartner(organisation)

    # ------------------------------------------------------------ changing
    def add(self, name: str, organisation: str | None, admin: bool = False, password: str | None = None) -> str | None:
        """Add a user; returns the one-time password made for it when ``password`` is None (the only
        time it is seen), else None. Raises BadName, WeakPassword, NoSuchPartner, NameTaken, or
        ValueError for an administrator of a partner (administrators are this installation's own)."""
        check_name(name)
        if admin and organisation is not None:
            raise ValueError("an administrator belongs to this installation, not to a partner")
        made = one_time_password() if password is None else None
        secret = check_password(password) if password is not None else made
        password_hash = _hash(secret)
        at = now()
        try:
            with self.store.writing() as conn:
                if organisation is not None and conn.execute(select(PT.c.id).where(PT.c.id == organisation)
                                                             ).first() is None:
                    raise NoSuchPartner(organisation)
                if conn.execute(select(UT.c.id).where(UT.c.name == name)).first() is not None:
                    raise NameTaken(name)
                conn.execute(insert(UT).values(name=name, organisation=organisation, admin=admin,
                                               password_hash=password_hash, created_at=at, disabled_at=None,
                                               password_set_at=at, must_change=made is not None, failed_signins=0,
                                               last_failed_at=None))
        except IntegrityError:  # another process added the name at the same moment
            raise NameTaken(name) from None
        return made

    def disable(self, name: str) -> bool:
        """Disable a user from now on (it never verifies again); False when it was disabled already.
        Raises NoSuchUser."""
        with self.store.writing() as conn:
            found = conn.execute(select(UT.c.disabled_at).where(UT.c.name == name)).first()
            if found is None:
                raise NoSuchUser(name)
            if found[0] is not None:
                return False
            conn.execute(update(UT).where(UT.c.name == name).values(disabled_at=now()))
        return True

    def reset(self, name: str, password: str | None = None) -> str | None:
        """Replace a user's password: with ``password``, or with a new one-time password, returned once.
        The old password stops working; the failed sign-ins start again from none. Raises NoSuchUser,
        WeakPassword."""
        made = one_time_password() if password is None else None
        secret = check_password(password) if password is not None else made
        self._set(name, _hash(secret), must_change=made is not None)
        return made

    def change(self, name: str, current: str, new: str) -> bool:
        """A user's own change of password (what a one-time password asks for at first sign-in):
        False when ``current`` does not verify. Raises WeakPassword."""
        check_password(new)
        if new == current:
            raise WeakPassword("the new password must differ from the current one")
        if self.verify(name, current) is None:
            return False
        self._set(name, _hash(new), must_change=False)
        return True

    def _set(self, name: str, password_hash: str, must_change: bool) -> None:
        with self.store.writing() as conn:
            done = conn.execute(update(UT).where(UT.c.name == name).values(
                password_hash=password_hash, password_set_at=now(), must_change=must_change, failed_signins=0,
                last_failed_at=None)).rowcount
        if not done:
            raise NoSuchUser(name)

    # ------------------------------------------------------------ signing in
    def verify(self, name: str, password: str) -> User | None:
        """The user whose name and password these are, if it may sign in: None for an unknown name, a
        wrong password, a disabled user or a member of a revoked partner. Every refusal of a known name
        counts as a failed sign-in; a success clears the count (and rehashes a hash made with older
        parameters)."""
        with self.engine.connect() as conn:
            row = conn.execute(select(*_COLUMNS, UT.c.password_hash)
                               .select_from(UT.outerjoin(PT, PT.c.id == UT.c.organisation))
                               .where(UT.c.name == name)).mappings().first()
        candidate = password[: MAX_PASSWORD + 1]  # no stored password is longer: the rest is never hashed
        if row is None:
            _matches(_dummy_hash(), candidate)  # the same work as for a known name
            return None
        ok = len(password) <= MAX_PASSWORD and _matches(row["password_hash"], candidate)
        if not ok or row["disabled_at"] is not None or row["partner_revoked"] is not None:
            with self.store.writing() as conn:
                conn.execute(update(UT).where(UT.c.id == row["id"]).values(
                    failed_signins=UT.c.failed_signins + 1, last_failed_at=now()))
            return None
        values: dict[str, Any] = {}
        if row["failed_signins"]:
            values.update(failed_signins=0, last_failed_at=None)
        if _HASHER.check_needs_rehash(row["password_hash"]):
            values["password_hash"] = _hash(password)
        if values:
            with self.store.writing() as conn:
                conn.execute(update(UT).where(UT.c.id == row["id"]).values(**values))
        user = _user(row)
        return replace(user, failed_signins=0, last_failed_at=None) if row["failed_signins"] else user

    def wait_before_next_try(self, user: User) -> float:
        """Seconds this user's name must wait before its next sign-in attempt: none for the first
        ``FREE_TRIES`` failures in a row, then doubling from 2 s to at most 15 minutes, counted from the
        last failure, so that guessing a password through the form takes years while a person who
        mistypes twice waits nothing."""
        over = user.failed_signins - FREE_TRIES
        if over < 0 or user.last_failed_at is None:
            return 0.0
        wait = min(2.0 ** (over + 1), 900.0)
        last = user.last_failed_at if user.last_failed_at.tzinfo else user.last_failed_at.replace(tzinfo=dt.UTC)
        return max(0.0, wait - (now() - last).total_seconds())

    VISIT_GAP = dt.timedelta(hours=1)

    def visit(self, user: User, signing_in: bool = False) -> User:
        """Note that the user is here now. A visit begins at sign-in or after an hour away; the one
        before it is what the dashboard's "since your last visit" counts from."""
        at = now()
        this = user.this_visit_at
        if this is not None and this.tzinfo is None:
            this = this.replace(tzinfo=dt.UTC)
        if not signing_in and this is not None and at - this < self.VISIT_GAP:
            return user
        with self.store.writing() as conn:
            conn.execute(update(UT).where(UT.c.id == user.id).values(last_visit_at=this or at, this_visit_at=at))
        return replace(user, last_visit_at=this or at, this_visit_at=at)

    # ------------------------------------------------------------ what the user may see
    def actor(self, user: User) -> Actor:
        """The user as the one access rule's ``Actor``: an administrator or analyst of this installation
        (carrying its identity), or a member of its partner (the partner's id and STIX identity)."""
        if user.own:
            identity = self.store.organisation()["identity_id"]
            return administrator(identity) if user.admin else own_analyst(identity)
        return partner_member(user.organisation, user.partner_identity)
