"""What the names an operator gives sharing's objects may be: a partner id, a collection alias, a
STIX identity id. The command line and the web UI's sharing admin check their arguments against
these, so both refuse the same ones. (A module of its own, importing nothing: the command line
reads it at start, before it knows whether it will open a store.)"""

from __future__ import annotations

import re

PARTNER_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
ALIAS = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,127}")
IDENTITY_ID = re.compile(r"identity--[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
