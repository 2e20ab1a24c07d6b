"""Entity resolution across documents (liaison.fuse.entities): each kind of variant that is one
entity, each kind of difference that is not, overrides, order-freedom, incremental = full."""

from __future__ import annotations

import random

from liaison.extract.lexicon import fold
from liaison.fuse.entities import (
    MAX_BLOCK_KEYS,
    MemoryIndex,
    blocking_keys,
    resolve,
    resolve_incremental,
)
from liaison.fuse.records import EntityMention, Override

_COARSE = {"person": "per", "organization": "org", "armed_group": "org", "government_body": "org",
           "country": "loc", "place": "loc", "facility": "loc"}


def men(doc: str, name: str, type_: str = "person", *others: str, key: str | None = None, **kw) -> EntityMention:
    """A mention as extraction would give it: keyed by its coarse type and folded canonical name."""
    return EntityMention(document=doc, key=key or f"{_COARSE[type_]}:{fold(name)}", canonical=name, type=type_,
                         names=(name, *others), **kw)


def one(links: dict, *mentions: EntityMention) -> bool:
    return len({links[m.node].entity for m in mentions}) == 1


def apart(links: dict, *mentions: EntityMention) -> bool:
    return len({links[m.node].entity for m in mentions}) == len(mentions)


# -- variants that are one entity ----------------------------------------------------------------

def test_arabic_transliterations_with_articles_and_titles_are_one_person() -> None:
    ms = [men("d1", "Ahmed al-Sharaa"), men("d2", "Ahmad Al Shara", "person", "President Ahmad Al Shara"),
          men("d3", "Ahmed ash-Sharaa"), men("d4", "Ahmed el-Sharaa")]
    links = resolve(ms)
    assert one(links, *ms)
    assert {links[m.node].rule for m in ms} <= {"self", "name-variant", "alias"}


def test_mohamed_muhammad_mohammed_and_abu_abou_are_one_person() -> None:
    ms = [men("d1", "Mohamed Abu Bakr"), men("d2", "Muhammad Abou Bakr"), men("d3", "Mohammed Abu Bakr")]
    assert one(resolve(ms), *ms)


def test_zeinab_zaynab_and_yusuf_yousef_are_one_person() -> None:
    a = [men("d1", "Zeinab Yusuf"), men("d2", "Zaynab Yousef")]
    assert one(resolve(a), *a)


def test_somali_spelling_with_x_is_the_same_name() -> None:
    ms = [men("d1", "Maxamed Cabdi Warsame"), men("d2", "Mohamed Cabdi Warsame")]
    assert one(resolve(ms), *ms)


def test_qaeda_and_qaida_with_ayn_marks_are_one_group() -> None:
    ms = [men("d1", "al-Qaeda in the Lands", "armed_group"), men("d2", "Al Qa\u2019ida in the Lands", "armed_group"),
          men("d3", "al-Qa\u02bfida in the Lands", "armed_group")]
    assert one(resolve(ms), *ms)


def test_honorifics_and_titles_do_not_make_another_person() -> None:
    ms = [men("d1", "Sheikh Hassan Nasrallah"), men("d2", "Hassan Nasrallah"), men("d3", "Mr Hassan Nasrallah"),
          men("d4", "Gen. Hassan Nasrallah")]
    assert one(resolve(ms), *ms)


def test_kunya_stated_as_an_alias_is_the_same_person() -> None:
    ms = [men("d1", "Ahmed al-Sharaa", aliases=("Abu Mohammed al-Julani",)), men("d2", "Abu Mohamed al-Julani")]
    assert one(resolve(ms), *ms)


def test_a_spelling_off_the_skeleton_links_only_with_shared_context() -> None:
    a = men("d1", "Hassan Warsame", context=("org:al shabaab",))
    b = men("d2", "Hassan Warsme")  # a letter dropped: the skeletons differ, the spellings are 0.92 alike
    c = men("d3", "Hassan Warsme", key="per:hassan warsme 2", context=("org:al-shabab",))
    assert apart(resolve([a, b]), a, b)
    assert one(resolve([a, c]), a, c)


def test_family_name_first_after_a_comma_is_the_same_person() -> None:
    ms = [men("d1", "Ahmed al-Sharaa"), men("d2", "Shara, Ahmed")]
    assert one(resolve(ms), *ms)


def test_hyphens_and_diacritics_do_not_change_a_name() -> None:
    ms = [men("d1", "Jabhat al-Nusra", "armed_group"), men("d2", "Jabhat Al Nusra", "armed_group"),
          men("d3", "Jabhat al-Nuṣra", "armed_group")]
    assert one(resolve(ms), *ms)


def test_apostrophes_in_place_names_qalah_qala() -> None:
    ms = [men("d1", "Qal'ah Sharqat", "place", feature="populated_place", country_code="IQ"),
          men("d2", "Qala Sharqat", "place", feature="populated_place", country_code="IQ")]
    assert one(resolve(ms), *ms)


def test_acronym_spelled_out_by_initials_is_the_group() -> None:
    hts = men("d1", "HTS", "armed_group")
    full = men("d2", "Hayat Tahrir al-Sham", "armed_group")
    links = resolve([hts, full])
    assert one(links, hts, full)
    assert links[hts.node].rule == "acronym"


def test_former_name_stated_in_aliases_links_across_documents() -> None:
    hts = men("d1", "Hayat Tahrir al-Sham", "armed_group", "HTS", aliases=("Jabhat al-Nusra",))
    nusra = men("d2", "Jabhat al-Nusra", "armed_group")
    links = resolve([hts, nusra])
    assert one(links, hts, nusra) and links[nusra.node].rule in ("alias", "self")


def test_abbreviation_from_the_gazetteer_links_centcom_to_us_central_command() -> None:
    a = men("d1", "CENTCOM", "government_body", aliases=("United States Central Command", "US Central Command"))
    b = men("d2", "US Central Command", "government_body")
    c = men("d3", "SDF", "armed_group", aliases=("Syrian Democratic Forces",))
    d = men("d4", "Syrian Democratic Forces", "armed_group")
    links = resolve([a, b, c, d])
    assert one(links, a, b) and one(links, c, d) and apart(links, a, c)


def test_bare_family_name_joins_the_one_full_name_of_its_block() -> None:
    full = men("d1", "Ahmed al-Sharaa")
    bare = men("d2", "Sharaa")
    links = resolve([full, bare])
    assert one(links, full, bare) and links[bare.node].rule == "short-name"


def test_armed_group_and_organization_link_on_an_exact_name_only() -> None:
    a = men("d1", "Hurras al-Din", "armed_group")
    b = men("d2", "Hurras al-Din", "organization", key="org:hurras al din x")
    c = men("d3", "Hurras ad-Deen", "organization")
    assert one(resolve([a, b]), a, b)
    assert apart(resolve([a, c]), a, c)


# -- what differs stays apart -----------------------------------------------------------------------

def test_two_people_sharing_only_a_family_name_stay_apart() -> None:
    john, jane = men("d1", "John Smith"), men("d2", "Jane Smith")
    links = resolve([john, jane])
    assert apart(links, john, jane)


def test_bare_family_name_does_not_chain_two_people() -> None:
    john, jane, bare = men("d1", "John Smith"), men("d2", "Jane Smith"), men("d3", "Smith")
    links = resolve([john, jane, bare])
    assert apart(links, john, jane, bare)


def test_bare_family_name_chooses_by_shared_context_among_several() -> None:
    john = men("d1", "John Smith", context=("org:acme corporation",))
    jane = men("d2", "Jane Smith", context=("org:nasa",))
    bare = men("d3", "Smith", context=("org:acme corporation",))
    links = resolve([john, jane, bare])
    assert one(links, john, bare) and apart(links, john, jane)
    assert links[bare.node].rule == "context"


def test_people_whose_given_names_differ_stay_apart() -> None:
    a, b = men("d1", "Mohamed Abdi"), men("d2", "Ahmed Abdi")
    assert apart(resolve([a, b]), a, b)


def test_same_given_name_different_family_name_stays_apart() -> None:
    a, b = men("d1", "Mohamed Abdi"), men("d2", "Mohamed Warsame")
    assert apart(resolve([a, b]), a, b)


def test_country_and_its_government_stay_apart() -> None:
    a = men("d1", "Somalia", "country", country_code="SO", key="loc:somalia")
    b = men("d2", "Government of Somalia", "government_body", "Somalia")
    c = men("d3", "Somalia", "government_body", key="org:somalia")
    links = resolve([a, b, c])
    assert links[a.node].entity != links[b.node].entity
    assert links[a.node].entity != links[c.node].entity


def test_city_and_province_of_one_name_stay_apart() -> None:
    city = men("d1", "Kirkuk", "place", feature="populated_place", country_code="IQ", key="loc:geonames:94787")
    prov = men("d2", "Kirkuk", "place", feature="administrative_area", country_code="IQ", key="loc:iso3166-2:IQ-KI")
    vague = men("d3", "Kirkuk", "place")
    links = resolve([city, prov, vague])
    assert apart(links, city, prov, vague)


def test_same_place_name_in_two_countries_stays_apart() -> None:
    a = men("d1", "Palmyra", "place", feature="populated_place", country_code="SY", key="loc:geonames:1")
    b = men("d2", "Palmyra", "place", feature="populated_place", country_code="US", key="loc:geonames:2")
    assert apart(resolve([a, b]), a, b)


def test_armed_group_and_its_affiliates_stay_apart() -> None:
    ms = [men("d1", "Islamic State", "armed_group", "IS", aliases=("ISIS", "Daesh")),
          men("d2", "ISIS-K", "armed_group", aliases=("Islamic State Khorasan Province",)),
          men("d3", "Islamic State Khorasan Province", "armed_group"),
          men("d4", "Islamic State Somalia", "armed_group"),
          men("d5", "Islamic State", "armed_group")]
    links = resolve(ms)
    assert one(links, ms[0], ms[4]) and one(links, ms[1], ms[2])
    assert apart(links, ms[0], ms[1], ms[3])


def test_person_and_organization_of_one_name_stay_apart() -> None:
    a, b = men("d1", "Hassan Nasrallah"), men("d2", "Hassan Nasrallah", "organization")
    assert apart(resolve([a, b]), a, b)


def test_ambiguous_acronym_stays_apart() -> None:
    a = men("d1", "Syrian Democratic Forces", "armed_group")
    b = men("d2", "Somali Defence Force", "armed_group")
    c = men("d3", "SDF", "armed_group")
    links = resolve([a, b, c])
    assert apart(links, a, b, c)


# -- evidence, representative, order ------------------------------------------------------------------

def test_every_link_names_its_rule_and_the_node_it_links_to() -> None:
    ms = [men("d1", "Ahmed al-Sharaa"), men("d2", "Ahmed al-Sharaa"), men("d3", "Ahmad Al Shara"), men("d4", "Sharaa")]
    links = resolve(ms)
    rules = sorted(link.rule for link in links.values())
    assert rules == ["name-variant", "same-key", "self", "short-name"]
    for link in links.values():
        assert (link.against is None) == (link.rule == "self")
        assert link.against is None or link.against in links


def test_representative_is_the_key_in_most_documents() -> None:
    ms = [men("d1", "Ahmad Al Shara"), men("d2", "Ahmed al-Sharaa"), men("d3", "Ahmed al-Sharaa")]
    links = resolve(ms)
    assert {link.entity for link in links.values()} == {"per:ahmed al sharaa"}


def test_gazetteer_known_key_wins_a_tie_of_documents() -> None:
    ms = [men("d1", "Ahmad Al Shara"), men("d2", "Ahmed al-Sharaa", gazetteer="actors")]
    assert resolve(ms)[ms[0].node].entity == "per:ahmed al sharaa"


def test_result_does_not_depend_on_the_order_of_mentions() -> None:
    corpus = _corpus()
    first = resolve(corpus)
    for seed in range(5):
        shuffled = corpus[:]
        random.Random(seed).shuffle(shuffled)
        assert resolve(shuffled) == first


def test_blocking_keys_are_few_and_named_by_kind() -> None:
    keys = blocking_keys(men("d1", "Ahmed al-Sharaa", "person", "Sharaa"))
    assert {k.split(":")[0] for k in keys} == {"k", "f", "l"}
    assert len(keys) <= 4


def test_an_over_full_block_is_dropped() -> None:
    people = [men(f"d{i}", f"{given} Smith") for i, given in enumerate(_given_names(MAX_BLOCK_KEYS + 1))]
    bare = men("dx", "Smith")
    links = resolve([*people, bare])
    assert links[bare.node].entity == "per:smith"


# -- overrides ---------------------------------------------------------------------------------------

def test_merge_joins_what_the_rules_keep_apart() -> None:
    a = men("d1", "Somalia", "country", key="loc:somalia")
    b = men("d2", "Government of Somalia", "government_body")
    links = resolve([a, b], [Override("merge", ("loc:somalia", "org:government of somalia"), by="analyst")])
    assert one(links, a, b)
    assert {links[a.node].rule, links[b.node].rule} == {"self", "merge"}


def test_split_by_alias_makes_an_entity_of_its_own_never_linked_back() -> None:
    ms = [men("d1", "Ahmed al-Sharaa", aliases=("Abu Mohammed al-Julani",)), men("d2", "Abu Mohammed al-Julani"),
          men("d3", "Ahmad Al Shara"), men("d4", "Abu Mohamed al-Julani")]
    split = Override("split", ("per:ahmed al sharaa",), alias="Abu Mohammed al-Julani")
    links = resolve(ms, [split])
    assert links[ms[1].node].entity != links[ms[0].node].entity
    assert one(links, ms[0], ms[2])
    assert links[ms[1].node].rule == "split"


def test_split_by_document_takes_that_node_out() -> None:
    ms = [men("d1", "Ahmed al-Sharaa"), men("d2", "Ahmed al-Sharaa"), men("d3", "Ahmad Al Shara")]
    links = resolve(ms, [Override("split", ("per:ahmed al sharaa",), document="d2")])
    assert one(links, ms[0], ms[2]) and links[ms[1].node].entity != links[ms[0].node].entity
    assert links[ms[1].node].entity.endswith("|split:d2")


# -- incremental = full -------------------------------------------------------------------------------

def _given_names(n: int) -> list[str]:
    letters = "bdfgklmnprstvz"
    return [f"{letters[i % 14].upper()}a{letters[(i // 14) % 14]}o{letters[(i // 196) % 14]}" for i in range(n)]


def _corpus() -> list[EntityMention]:
    """A small corpus with every kind of variant and non-merge, over several documents."""
    spec = [
        ("Ahmed al-Sharaa", "person", ()), ("Ahmad Al Shara", "person", ()), ("Shara, Ahmed", "person", ()),
        ("Sharaa", "person", ()), ("John Smith", "person", ()), ("Jane Smith", "person", ()), ("Smith", "person", ()),
        ("Mohamed Abdi", "person", ()), ("Ahmed Abdi", "person", ()), ("Muhammad Abdi", "person", ()),
        ("HTS", "armed_group", ()), ("Hayat Tahrir al-Sham", "armed_group", ("Jabhat al-Nusra",)),
        ("Jabhat al-Nusra", "armed_group", ()), ("Islamic State", "armed_group", ("ISIS",)),
        ("Islamic State Somalia", "armed_group", ()), ("ISIS-K", "armed_group", ("Islamic State Khorasan Province",)),
        ("SDF", "armed_group", ()), ("Syrian Democratic Forces", "armed_group", ()),
        ("Somali Defence Force", "armed_group", ()), ("Abu Mohammed al-Julani", "person", ()),
    ]
    out = []
    for d in range(24):
        rnd = random.Random(d)
        picked = rnd.sample(spec, 5)
        keys = [f"{_COARSE[t]}:{fold(n)}" for n, t, _a in picked]
        for (name, type_, aliases), key in zip(picked, keys, strict=True):
            out.append(men(f"doc{d:02}", name, type_, aliases=aliases, context=tuple(k for k in keys if k != key)))
    return out


def _incremental(corpus: list[EntityMention], overrides: list[Override], seed: int) -> dict:
    docs: dict[str, list[EntityMention]] = {}
    for m in corpus:
        docs.setdefault(m.document, []).append(m)
    order = sorted(docs)
    random.Random(seed).shuffle(order)
    index = MemoryIndex()
    for doc in order:
        new = docs[doc]
        changed = resolve_incremental(new, index, overrides)
        index.add(new)
        index.update(changed)
    return index.all_links()


def test_incremental_document_by_document_equals_one_full_pass() -> None:
    corpus = _corpus()
    full = resolve(corpus)
    for seed in range(6):
        assert _incremental(corpus, [], seed) == full, seed


def test_incremental_equals_full_with_overrides() -> None:
    corpus = _corpus()
    overrides = [Override("merge", ("per:john smith", "per:jane smith")),
                 Override("split", ("per:ahmed al sharaa",), alias="Shara, Ahmed"),
                 Override("split", ("org:hayat tahrir al sham",), document="doc03")]
    full = resolve(corpus, overrides)
    assert full != resolve(corpus)
    for seed in range(6):
        assert _incremental(corpus, overrides, seed) == full, seed


def test_incremental_returns_only_the_links_that_change() -> None:
    corpus = _corpus()
    index = MemoryIndex(corpus, resolve(corpus))
    new = [men("docnew", "Jane Smith", context=("org:nasa",))]
    changed = resolve_incremental(new, index)
    assert set(changed) == {new[0].node}


def _dense_corpus(seed: int) -> list[EntityMention]:
    """Many documents over few names: shared family names, bare family names, acronyms of two
    groups, a city and its province, a place without feature: every weak case at once."""
    rnd = random.Random(seed)
    people = [f"{g} {f}" for g in ("Mohamed", "Muhammad", "Ahmed", "Hassan", "Hussein") for f in
              ("al-Sharaa", "Shara", "Abdi", "Warsame")]
    names = [*[(p, "person", {}) for p in people], *[(f, "person", {}) for f in ("Sharaa", "Abdi", "Warsame")],
             ("Syrian Democratic Forces", "armed_group", {}), ("Somali Defence Force", "armed_group", {}),
             ("SDF", "armed_group", {}), ("Hayat Tahrir al-Sham", "armed_group", {"aliases": ("Jabhat al-Nusra",)}),
             ("HTS", "armed_group", {}), ("Jabhat al-Nusra", "armed_group", {}),
             ("Kirkuk", "place", {"feature": "populated_place", "country_code": "IQ"}),
             ("Kirkuk", "place", {"feature": "administrative_area", "country_code": "IQ", "key": "loc:iq-ki"}),
             ("Kirkuk", "place", {})]
    out = []
    for d in range(60):
        picked = rnd.sample(names, 6)
        made = [men(f"d{d:03}", n, t, **kw) for n, t, kw in picked]
        keys = sorted({m.key for m in made})
        seen = set()
        for m in made:
            if m.key in seen:
                continue
            seen.add(m.key)
            out.append(EntityMention(m.document, m.key, m.canonical, m.type, m.names, aliases=m.aliases,
                                     context=tuple(k for k in keys if k != m.key), feature=m.feature,
                                     country_code=m.country_code))
    return out


def test_incremental_equals_full_on_a_dense_corpus_of_weak_nodes() -> None:
    for seed in range(3):
        corpus = _dense_corpus(seed)
        overrides = [Override("merge", ("per:hassan abdi", "per:hussein abdi")),
                     Override("split", ("org:hayat tahrir al sham",), alias="Jabhat al-Nusra")]
        for ov in ([], overrides):
            assert _incremental(corpus, ov, seed) == resolve(corpus, ov), seed


def test_a_name_without_its_middle_name_is_the_person_where_the_stories_share_their_context() -> None:
    ctx = ("org:al shabaab", "loc:somalia", "loc:barawe")
    full, short = men("d1", "Ahmed Abdi Godane", context=ctx), men("d2", "Ahmed Godane", context=ctx)
    links = resolve([full, short])
    assert one(links, full, short)
    assert "middle-name" in {link.rule for link in links.values()}  # the evidence names the rule


def test_a_name_without_a_middle_name_and_no_shared_context_stays_another_person() -> None:
    full = men("d1", "Mohamed Ali Hassan", context=("loc:kenya", "org:al shabaab"))
    short = men("d2", "Mohamed Hassan", context=("loc:egypt",))
    assert apart(resolve([full, short]), full, short)
