"""The search page's reads: documents by their words, entities by name, events by type and entity.

Documents are found by the database's own full-text search over each document's current title
and text, made by migration 0012: SQLite's FTS5 table ``document_search`` (with ``snippet``), and
PostgreSQL's ``to_tsvector`` under a GIN index (with ``ts_headline``). A user's query never reaches
either as syntax: it is cut to its words, each quoted (FTS5) or given to ``plainto_tsquery``, so
quotes, operators, parentheses or a script tag search for the words they contain and nothing else.

Snippets mark the words found with two private-use characters (never markup); ``highlighted``
escapes the snippet and only then turns those marks into ``<mark>`` elements, balanced, so what a
document wrote is text on the page whatever it contains.

Entities are found by their names as documents write them and the aliases known for them,
tolerant of typos: rapidfuzz over the store's vocabulary of distinct names (made once per change
of the store), each name it proposes confirmed in SQL, under the access rule, by a document that
writes it (migration 0012 indexes mentions by key and name for that).

Every hit is drawn from rows the actor may see (store.access in the SQL), and every list is one
bounded page.
"""

from __future__ import annotations

import bisect
import json
import re
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from markupsafe import Markup, escape
from sqlalchemy import Text, and_, bindparam, cast, column, exists, func, literal, literal_column, or_, select, table
from sqlalchemy.engine import Connection

from liaison.store.access import Actor, visible_documents, visible_rows
from liaison.store.database import Store
from liaison.store.reading import Page, bounded, current, page_of
from liaison.store.reading.entities import DOCS, EL, ENT, ER, EV, MN, VERS, names_of

#: Highlight delimiters asked of the database: private-use characters, never markup.
START, STOP = "\ue000", "\ue001"
#: The most of a query that is searched, and the most words.
MAX_QUERY = 500
MAX_WORDS = 24
#: How many entities a search lists at most.
MAX_ENTITIES = 40
FUZZY_CUTOFF = 80

FTS = table("document_search", column("rowid"), column("title"), column("text"))
FTS_IDS = table("document_search_ids", column("id"), column("document_id"))
#: The expression migration 0012 indexes on PostgreSQL, written identically so the planner uses it.
PG_LANGUAGE = literal_column("'english'::regconfig")


def pg_document():  # noqa: ANN201
    return func.to_tsvector(PG_LANGUAGE, func.coalesce(VERS.c.title, "") + " " + VERS.c.text)


@dataclass(frozen=True)
class Query:
    """A user's query as searched: its words, and what the page should say about it."""

    text: str
    words: tuple[str, ...]
    note: str = ""

    @property
    def empty(self) -> bool:
        return not self.words


def parse(text: str | None) -> Query:
    """The words of a query (letters and digits in any script), at most MAX_WORDS of its first
    MAX_QUERY characters; a note says when some were left out."""
    text = (text or "").replace(START, " ").replace(STOP, " ").replace("\x00", " ").strip()
    note = ""
    if len(text) > MAX_QUERY:
        note = f"Only the first {MAX_QUERY} characters of the query were searched."
        text = text[:MAX_QUERY]
    words = re.findall(r"[^\W_]+", text)
    if len(words) > MAX_WORDS:
        note = f"Only the first {MAX_WORDS} words of the query were searched."
        words = words[:MAX_WORDS]
    return Query(text, tuple(words), note)


def highlighted(snippet: str | None) -> Markup:
    """A snippet as safe HTML: every character of it escaped, the database's highlight delimiters
    turned into <mark> elements (balanced: a stray delimiter opens or closes nothing)."""
    out: list[str] = []
    open_ = False
    for part in re.split(f"([{START}{STOP}])", snippet or ""):
        if part == START:
            if not open_:
                out.append("<mark>")
                open_ = True
        elif part == STOP:
            if open_:
                out.append("</mark>")
                open_ = False
        else:
            out.append(str(escape(part)))
    if open_:
        out.append("</mark>")
    return Markup("".join(out))


# ---------------------------------------------------------------- documents


def documents(store: Store, actor: Actor, query: Query, offset: int = 0, limit: int = 20) -> Page:
    """The documents whose current title or text has every word of the query, best first, each
    with a highlighted snippet. The hits are ranked without the access rule, which is then asked
    of them a batch at a time until the page is full (entities._walk); only the page's hits are
    read again for their snippets."""
    from liaison.store.reading.entities import _walk

    offset, limit = bounded(offset, limit)
    if query.empty:
        return page_of([], offset, limit)
    sqlite = store.engine.dialect.name == "sqlite"
    with store.engine.connect() as conn:
        ranked, older = _ranked_sqlite(query) if sqlite else (_ranked_postgresql(query), None)
        hits, more = _walk(conn, actor, ranked, limit, offset, window=RANK_WINDOW * (offset + limit + 1), then=older)
        ids = [h.document_id for h in hits]
        if not ids:
            return Page([], offset, limit, False)
        shown = _snippets_sqlite(conn, query, ids) if sqlite else _snippets_postgresql(conn, query, ids)
    rows = []
    for d in ids:
        if d in shown:
            row = dict(shown[d])
            row["snippet"] = highlighted(row.pop("raw_snippet"))
            rows.append(row)
    return Page(rows, offset, limit, more)


#: A partner's ranked hits are read in windows this many times the rows up to the page's end (then
#: four times larger): SQLite then keeps the best of a window in its sort, not every hit in order.
RANK_WINDOW = 3


def _columns():  # noqa: ANN202
    return (DOCS.c.id, DOCS.c.stem, DOCS.c.tlp, VERS.c.title, VERS.c.outlet, VERS.c.published)


def _current_version(first):  # noqa: ANN001,ANN202
    return first.join(VERS, and_(VERS.c.document_id == DOCS.c.id, VERS.c.version == DOCS.c.current_version))


def _match(query: Query) -> str:
    """The FTS5 query: each word a quoted string (so no word is an operator), all of them required."""
    return " ".join('"' + w.replace('"', '""') + '"' for w in query.words)


_FTS = literal_column("document_search")


#: The most hits ranked by relevance: the latest this many (by FTS rowid: when the document was
#: first indexed; a new version keeps its rowid), best first, then the older ones, latest first.
#: Ranking scores every hit it ranks (bm25 on SQLite, ts_rank on PostgreSQL), so a common word's
#: search would cost every document holding it; this way it costs a bounded part (100,000
#: documents, "border security", 57,000 hits: 55 -> 5 ms).
RANKED = 2000
_LATEST = FTS.alias("latest_hits")


def _ranked_sqlite(query: Query):  # noqa: ANN202 (two Selects)
    """The hits in the page's order, as two queries one after the other: the latest RANKED by bm25,
    then the rest by FTS rowid, latest first (FTS5 walks its rowids in either direction, and takes a
    rowid bound with MATCH, so neither scores or sorts more than RANKED hits)."""
    match = bindparam("match", _match(query))
    floor = func.coalesce(select(_LATEST.c.rowid).where(literal_column("latest_hits.document_search").op("MATCH")(match))
                          .order_by(_LATEST.c.rowid.desc()).offset(RANKED - 1).limit(1).scalar_subquery(), 0)
    hits = (select(FTS_IDS.c.document_id).select_from(FTS.join(FTS_IDS, FTS_IDS.c.id == FTS.c.rowid))
            .where(_FTS.op("MATCH")(match)))
    return (hits.where(FTS.c.rowid >= floor).order_by(func.bm25(_FTS), FTS_IDS.c.document_id),
            hits.where(FTS.c.rowid < floor).order_by(FTS.c.rowid.desc()))


def _snippets_sqlite(conn: Connection, query: Query, ids: list[str]) -> dict[str, Any]:
    """The page's hits with their snippets, found by their FTS rowids (FTS5 seeks a rowid; a MATCH
    filtered by document afterwards would find every hit of the query again)."""
    rowids = [r for r, in conn.execute(select(FTS_IDS.c.id).where(FTS_IDS.c.document_id.in_(ids)))]
    q = (select(*_columns(), func.snippet(_FTS, -1, START, STOP, "…", 24).label("raw_snippet"))
         .select_from(_current_version(FTS.join(FTS_IDS, FTS_IDS.c.id == FTS.c.rowid)
                                       .join(DOCS, DOCS.c.id == FTS_IDS.c.document_id)))
         .where(_FTS.op("MATCH")(bindparam("match", _match(query))), FTS.c.rowid == bindparam("rowid")))
    out = {}
    for rowid in rowids:  # one seek each: FTS5 takes no IN list of rowids as a seek
        out.update((r.id, r) for r in conn.execute(q, {"rowid": rowid}).mappings())
    return out


def _tsquery(query: Query):  # noqa: ANN202
    return func.plainto_tsquery(PG_LANGUAGE, bindparam("terms", " ".join(query.words)))


#: PostgreSQL ranks at most this many hits (ts_rank reads each one's text again; the GIN index finds them).
PG_RANKED = RANKED


def _ranked_postgresql(query: Query):  # noqa: ANN202
    tsq = _tsquery(query)
    hits = (select(DOCS.c.id.label("document_id"), func.ts_rank(pg_document(), tsq).label("rank"))
            .select_from(_current_version(DOCS)).where(pg_document().op("@@")(tsq)).limit(PG_RANKED)
            .subquery("hits"))
    return select(hits.c.document_id).order_by(hits.c.rank.desc(), hits.c.document_id)


def _snippets_postgresql(conn: Connection, query: Query, ids: list[str]) -> dict[str, Any]:
    options = f"StartSel={START}, StopSel={STOP}, MaxWords=35, MinWords=15, MaxFragments=2, FragmentDelimiter=\" … \""
    headline = func.ts_headline(PG_LANGUAGE, func.coalesce(VERS.c.title, "") + " " + VERS.c.text, _tsquery(query),
                                options)
    q = select(*_columns(), headline.label("raw_snippet")).select_from(_current_version(DOCS)).where(DOCS.c.id.in_(ids))
    return {r.id: r for r in conn.execute(q).mappings()}


# ---------------------------------------------------------------- entities


def name_score(wanted: str, name: str) -> float:
    """How well a name (folded) matches what was asked (folded), 0-100: 100 the same name; else the
    edit-distance ratio of the whole names, or, a little lower, of each asked word to its closest
    word of the name ("Qatada" finds "Abu Qatada al-Zarqawi", "Islamik Stat" "Islamic State").
    Words under three letters must be exact: "or" is no typo of "of"."""
    from rapidfuzz import fuzz, utils

    if wanted == name:
        return 100.0
    a, b = utils.default_process(wanted), utils.default_process(name)
    if not a or not b:
        return 0.0
    whole = fuzz.ratio(a, b) if min(len(a), len(b)) >= 4 else 0.0
    asked, words = a.split(), b.split()
    each = []
    for w in asked:
        if len(w) < 3:
            each.append(100.0 if w in words else 0.0)
        else:
            each.append(max(fuzz.ratio(w, x) for x in words))
    return max(whole, 0.95 * min(each)) if each else whole


@dataclass
class _Vocabulary:
    """Every name the store holds for an entity key: each (key, name) a document writes, and each
    alias an entity row records (the gazetteer's, or one its text states), by folded name. Read in
    full once, then only the mentions added since (``marker``: the highest mention id read; ids
    only grow), so a search compares the query with the distinct names instead of reading every
    mention. It decides nothing about access: every pair it proposes is confirmed in SQL, under
    the rule, before it is shown, so a name no current document writes any more is simply never
    confirmed."""

    marker: int
    by_name: dict[str, dict[tuple[str, str, str], None]]
    folded: list[str]
    pairs: list[list[tuple[str, str, str]]]  # per folded name: (key, name as written, "written"|"alias")
    #: The candidates of the latest queries (``_candidates``), made again with the vocabulary: a
    #: store that gains a mention has a new one. The same for every actor: no access in the key.
    near: dict[str, list[tuple[float, str, int]]] = field(default_factory=dict)
    #: Each folded name as name_score compares it (rapidfuzz's default_process), and which names
    #: hold each of those words: what ``_candidates`` narrows the names down by.
    processed: list[str] = field(default_factory=list)
    postings: dict[str, list[int]] = field(default_factory=dict)
    words: list[str] = field(default_factory=list)

    def index(self) -> _Vocabulary:
        """Fill ``processed``, ``postings`` and ``words`` from ``folded`` (once, as it is made)."""
        from rapidfuzz import utils

        self.processed = [utils.default_process(f) for f in self.folded]
        for i, name in enumerate(self.processed):
            for w in set(name.split()):
                self.postings.setdefault(w, []).append(i)
        self.words = sorted(self.postings)
        return self


_VOCABULARY_LOCK = threading.Lock()
_VOCABULARIES: dict[str, _Vocabulary] = {}
#: Candidate names rapidfuzz hands on, and (name, key) pairs confirmed in SQL at most per search.
CANDIDATES = 300
CONFIRMS = 120
#: Queries whose candidates a vocabulary remembers.
REMEMBERED = 256


def _vocabulary(conn: Connection) -> _Vocabulary:
    """The names to search, read once per server process and then only for mentions stored since.
    One thread reads or updates it at a time (a request during the start-up read waits for it,
    rather than reading every name a second time or changing the dictionary under it)."""
    with _VOCABULARY_LOCK:
        return _read_vocabulary(conn)


def _read_vocabulary(conn: Connection) -> _Vocabulary:
    from liaison.extract.lexicon import fold

    url = conn.engine.url.render_as_string(hide_password=True)
    marker = conn.execute(select(func.max(MN.c.id))).scalar() or 0
    found = _VOCABULARIES.get(url)
    if found is not None and found.marker == marker:
        return found
    if found is None or marker < found.marker:  # new, or the store was emptied and filled again
        found, since = _Vocabulary(0, {}, [], []), None
    else:
        since = found.marker
    by_name = found.by_name
    written = select(MN.c.entity_key, MN.c.text, MN.c.document_id)
    if since is not None:
        written = written.where(MN.c.id > since)
    documents: set[str] = set()
    for key, name, document in conn.execute(written.where(MN.c.id <= marker)):
        by_name.setdefault(fold(name), {})[(key, name, "written")] = None
        documents.add(document)
    if since is None:  # one entity row per key: the aliases of a key are the same in every document
        keys = select(ENT.c.key).distinct().subquery("each_key")
        one = select(ENT.c.data).where(ENT.c.key == keys.c.key).limit(1).scalar_subquery()
        aliased = conn.execute(select(keys.c.key, one)).all()
    else:
        docs = sorted(documents)
        aliased = [r for part in range(0, len(docs), 400) for r in conn.execute(
            select(ENT.c.key, ENT.c.data).where(ENT.c.document_id.in_(docs[part:part + 400])))]
    for key, data in aliased:
        if isinstance(data, str):
            data = json.loads(data)
        for alias in (data or {}).get("aliases") or ():
            by_name.setdefault(fold(alias), {})[(key, alias, "alias")] = None
    folded = sorted(by_name)
    made = _Vocabulary(marker, by_name, folded, [list(by_name[f]) for f in folded]).index()
    _VOCABULARIES[url] = made
    return made


def warm(store: Store) -> None:
    """Read the entity names' vocabulary now (a server's start, in a thread), so that the first
    search by name does not pay for it (seconds on a large store)."""
    with store.engine.connect() as conn:
        _vocabulary(conn)


def _confirmed(conn: Connection, actor: Actor, key: str, name: str, source: str) -> str | None:
    """The entity (fusion's ref, or the key) that a document the actor may see names ``name`` as
    ``key`` for, or None: the one access rule, in SQL, on the rows that say so."""
    if source == "written":
        document = conn.execute(_written_probe(actor), {"probe_key": key, "probe_head": name[:200],
                                                        "probe_name": name}).scalar()
    else:
        q = (select(ENT.c.document_id).select_from(ENT.join(DOCS, current(ENT)))
             .where(ENT.c.key == key, cast(ENT.c.data, Text).contains(json.dumps(name)[1:-1],
                                                                        autoescape=True),
                    visible_rows(actor, ENT)).limit(1))
        document = conn.execute(q).scalar()
    if document is None:
        return None
    ref = conn.execute(_LINKED_AS, {"linked_document": document, "linked_key": key}).scalar()
    return ref or key


@lru_cache(maxsize=64)
def _written_probe(actor: Actor):  # noqa: ANN202 (a Select)
    """"A document the actor may see writes this name for this key", made once per actor (building
    the access rule's expression costs about as much as running it) and run with each pair."""
    return (select(MN.c.document_id).select_from(MN.join(DOCS, current(MN)))
            .where(MN.c.entity_key == bindparam("probe_key"),
                   func.substr(MN.c.text, 1, 200) == bindparam("probe_head"), MN.c.text == bindparam("probe_name"),
                   visible_rows(actor, MN)).limit(1))


_LINKED_AS = select(EL.c.entity).where(EL.c.document_id == bindparam("linked_document"),
                                       EL.c.entity_key == bindparam("linked_key"))


def _candidates(vocab: _Vocabulary, wanted: str) -> list[tuple[float, str, int]]:
    """The vocabulary's names that name_score puts at FUZZY_CUTOFF or more for ``wanted`` (folded),
    best first, as (score, folded name, index), at most CANDIDATES. name_score reaches the cutoff only
    when the whole names are that close, or each asked word is close to a word of the name (exact
    under three letters), so those are the only names scored: a pass of rapidfuzz's plain ratio over
    the names (with a cutoff it skips most of them on length alone) and one over the vocabulary's
    distinct words, whose names are then intersected. Every name at the cutoff is found (WRatio's
    300 nearest, before, could miss some), in a few milliseconds where WRatio took 40-75 over the
    43,000 names of 100,000 documents. The same for every actor (what each may see is decided
    after, in SQL), so remembered with the vocabulary (REMEMBERED queries)."""
    from rapidfuzz import fuzz, process, utils

    found = vocab.near.get(wanted)
    if found is not None:
        return found
    asked = utils.default_process(wanted)
    found = []
    if asked:
        near: set[int] = set()
        exact = bisect.bisect_left(vocab.folded, wanted)
        if exact < len(vocab.folded) and vocab.folded[exact] == wanted:
            near.add(exact)
        if len(asked) >= 4:
            near.update(i for _, _, i in process.extract(asked, vocab.processed, scorer=fuzz.ratio, processor=None,
                                                         score_cutoff=FUZZY_CUTOFF, limit=None))
        named: set[int] | None = None
        for w in sorted(set(asked.split()), key=len, reverse=True):  # the longest (rarest) first
            if len(w) < 3:
                holding = set(vocab.postings.get(w, ()))
            else:  # 0.95 * the word's ratio must reach the cutoff
                close = process.extract(w, vocab.words, scorer=fuzz.ratio, processor=None,
                                        score_cutoff=FUZZY_CUTOFF / 0.95 - 0.01, limit=None)
                holding = {i for x, _, _ in close for i in vocab.postings[x]}
            named = holding if named is None else named & holding
            if not named:
                break
        near |= named or set()
        scored = ((name_score(wanted, vocab.folded[i]), vocab.folded[i], i) for i in near)
        found = sorted((t for t in scored if t[0] >= FUZZY_CUTOFF), key=lambda t: (-t[0], t[1]))[:CANDIDATES]
    if len(vocab.near) >= REMEMBERED:
        vocab.near.pop(next(iter(vocab.near)))
    vocab.near[wanted] = found
    return found


def entity_matches(conn: Connection, actor: Actor, text: str, limit: int = MAX_ENTITIES) -> list[dict[str, Any]]:
    """The entities whose names (as documents write them) or known aliases match ``text``, best
    first: an exact name (without case or accents), then the closest by edit distance. Each has
    ``ref``, ``score`` and ``matched`` (the name it matched by). Names come from the vocabulary,
    and each is confirmed against the documents the actor may see before it counts."""
    from liaison.extract.lexicon import fold

    query = parse(text)
    if query.empty:
        return []
    wanted = fold(query.text)
    vocab = _vocabulary(conn)
    scored = _candidates(vocab, wanted)
    out: dict[str, tuple[float, str]] = {}
    confirms = 0
    for score, _, i in scored:
        if score < FUZZY_CUTOFF or len(out) >= limit or confirms >= CONFIRMS:
            break
        for key, name, source in vocab.pairs[i]:
            if confirms >= CONFIRMS:
                break
            confirms += 1
            ref = _confirmed(conn, actor, key, name, source)
            if ref is not None and ref not in out:
                out[ref] = (score, name)
    ranked = sorted(out.items(), key=lambda item: (-item[1][0], item[1][1].lower(), item[0]))[:limit]
    return [{"ref": ref, "score": round(score), "matched": name} for ref, (score, name) in ranked]


def entities(store: Store, actor: Actor, query: Query, offset: int = 0, limit: int = 20) -> Page:
    """Entities by name or alias, typos tolerated, with their name, type and documents."""
    offset, limit = bounded(offset, limit)
    if query.empty:
        return page_of([], offset, limit)
    with store.engine.connect() as conn:
        found = entity_matches(conn, actor, query.text, limit=offset + limit + 1)
        shown = found[offset:offset + limit + 1]
        names = names_of(conn, actor, [f["ref"] for f in shown])
        counts = _document_counts(conn, actor, [f["ref"] for f in shown[:limit]])
    rows = [{**f, **names[f["ref"]], "documents": counts.get(f["ref"], 0)} for f in shown if f["ref"] in names]
    return page_of(rows, offset, limit)


#: A partner's document counts on the entity list stop here ("10+"): each asks the access rule.
PARTNER_COUNT = 10
#: An own member's counts stop here ("1000+"): a resolved entity's is a walk of its links' index
#: (migration 0014), one of an entity fusion has not resolved reads its key's rows one by one (each
#: asked whether fusion linked it); either way a frequent entity's is bounded (28,000 links).
UNRESOLVED_COUNT = 1000


def _document_counts(conn: Connection, actor: Actor, refs: list[str]) -> dict[str, int]:
    """How many documents name each entity: for own members those fusion linked to it (an index
    count, as the entity page counts them), or for an entity it has not resolved the documents whose
    node has its key, either up to UNRESOLVED_COUNT + 1; for a partner's member those it may see,
    counted up to PARTNER_COUNT + 1."""
    from liaison.store.reading.entities import _nodes, _unlinked

    out = {}
    for ref in refs:
        if actor.own:  # the page shows "1000+" beyond UNRESOLVED_COUNT: counted that far, in index order
            linked = select(EL.c.document_id).where(EL.c.entity == ref).distinct().limit(UNRESOLVED_COUNT + 1) \
                .subquery("linked")
            fused = conn.execute(select(func.count()).select_from(linked)).scalar_one()
            if not fused:
                alone = (select(ENT.c.document_id).select_from(ENT.join(DOCS, current(ENT)))
                         .where(ENT.c.key == ref, _unlinked(ref)).distinct().limit(UNRESOLVED_COUNT + 1)
                         .subquery("alone"))
                fused = conn.execute(select(func.count()).select_from(alone)).scalar_one()
            out[ref] = fused
        else:
            nodes = _nodes(ref).subquery("nodes")
            seen = select(nodes.c.document_id).where(visible_documents(actor, nodes.c.document_id)).distinct() \
                .limit(PARTNER_COUNT + 1).subquery("seen")
            out[ref] = conn.execute(select(func.count()).select_from(seen)).scalar_one()
    return out


def resolve_name(store: Store, actor: Actor, text: str) -> str | None:
    """The entity a user means by ``text`` (a ref the actor may see, a name, alias or a typo of one)."""
    from liaison.store.reading.entities import members

    text = (text or "").replace("\x00", "").strip()[:MAX_QUERY]
    if not text:
        return None
    with store.engine.connect() as conn:
        if conn.execute(select(literal(1)).select_from(members(actor, text).subquery()).limit(1)).first():
            return text
        found = entity_matches(conn, actor, text, limit=1)
    return found[0]["ref"] if found else None


# ---------------------------------------------------------------- events


def event_types(words: tuple[str, ...]) -> tuple[list[str], list[str]]:
    """The event types the query's words name ("arrest", "airstrikes", "sanction"), and the words
    left over (what the events' entities are looked up by)."""
    from rapidfuzz import fuzz

    from liaison.model import EVENT_TYPES

    parts = {t: t.split("_") for t in EVENT_TYPES}
    types: list[str] = []
    rest: list[str] = []
    for w in words:
        lw = w.lower()
        hit = [t for t, ps in parts.items() if lw == t or any(
            p not in ("or", "and") and len(p) > 3 and (fuzz.ratio(lw, p) >= 85 or lw.startswith(p)) for p in ps)]
        if hit:
            types += [t for t in hit if t not in types]
        else:
            rest.append(w)
    return types, rest


def events(store: Store, actor: Actor, query: Query, offset: int = 0, limit: int = 20) -> Page:
    """Events by type ("airstrike") and by the entities taking part ("Islamic State", typos
    tolerated), both when the query names both; latest first, each with its evidence."""
    offset, limit = bounded(offset, limit)
    if query.empty:
        return page_of([], offset, limit)
    types, rest = event_types(query.words)
    conditions = []
    matched: list[dict[str, Any]] = []
    with store.engine.connect() as conn:
        if rest:
            matched = [m for m in entity_matches(conn, actor, " ".join(rest), limit=10) if m["score"] >= 85]
            if not matched:
                return Page([], offset, limit, False, extra={"types": types, "entities": []})
            refs = [m["ref"] for m in matched]
            linked = exists().where(EL.c.document_id == ER.c.document_id, EL.c.entity_key == ER.c.entity_key,
                                    EL.c.entity.in_(refs))
            conditions.append(exists().where(ER.c.document_id == EV.c.document_id, ER.c.version == EV.c.version,
                                             ER.c.idx == EV.c.idx, or_(ER.c.entity_key.in_(refs), linked)))
        if types:
            conditions.append(EV.c.type.in_(types))
        evidence = func.substr(VERS.c.text, EV.c.evidence_start + 1,
                               func.min(EV.c.evidence_end - EV.c.evidence_start, 400)
                               if store.engine.dialect.name == "sqlite"
                               else func.least(EV.c.evidence_end - EV.c.evidence_start, 400))
        q = (select(EV.c.document_id, EV.c.idx, EV.c.type, EV.c.subtype, EV.c.status, EV.c.date_value,
                    EV.c.date_start, EV.c.confidence, VERS.c.title, DOCS.c.stem, evidence.label("evidence"))
             .select_from(EV.join(DOCS, current(EV)).join(VERS, and_(VERS.c.document_id == DOCS.c.id,
                                                                      VERS.c.version == DOCS.c.current_version)))
             .where(visible_rows(actor, EV), *conditions)
             .order_by(EV.c.date_start.desc().nulls_last(), EV.c.document_id, EV.c.idx)
             .offset(offset).limit(limit + 1))
        rows = [dict(r) for r in conn.execute(q).mappings()]
        names = names_of(conn, actor, [m["ref"] for m in matched])
    page = page_of(rows, offset, limit)
    page.extra.update(types=types, entities=[names[m["ref"]] for m in matched if m["ref"] in names])
    return page


__all__ = ["Query", "warm", "documents", "entities", "events", "highlighted", "parse", "resolve_name"]
