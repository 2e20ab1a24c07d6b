"""Names as entity resolution compares them: normalised tokens, a transliteration-aware skeleton
of each token, acronyms, and the blocking keys built from them (liaison.fuse.entities).

Why a skeleton of our own rather than Soundex or Metaphone: those were made for English surnames
and keep the first letter and the consonants as English spells them; an Arabic, Somali or Pashto
name reaches English through several transliteration schemes whose differences are known and
few. The vowels move (Ahmed/Ahmad, Mohamed/Muhammad, Yusuf/Yousef), letters double or not
(Mohammed), diphthongs are written ei/ay/ai/ae (Zeinab/Zaynab, Qaeda/Qaida, Husayn/Hussein),
q/k and c/k alternate, a final h after a vowel comes and goes (Qal'ah/Qala), the article al-
is written al/el/ad/as/ash/... or left out, and ayn and hamza are written ' ’ ʿ ʾ ` or not at
all. The skeleton keeps the consonants and the *places* of the vowels (one V per vowel group),
so that Muhammad (mVhVmVd) and Mahmoud (mVhmVd), or Hassan (hVsVn) and Hussein (hVsyn), stay
apart while the spellings of each meet.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from liaison.extract.lexicon import fold, load_json

# Articles written before a name word, assimilated or not ("ash-Shabaab", "ad-Din", "el-Sisi").
ARTICLES = frozenset({"al", "el", "ad", "ag", "ar", "as", "ash", "at", "ath", "az", "adh", "an", "ul", "ud", "ur",
                      "ut", "un", "uz", "ush", "l"})
# Ayn, hamza, apostrophes and the like, however the text writes them: no letter of their own.
_MARKS = re.compile("['\u2018\u2019\u02bb\u02bc\u02be\u02bf\u02b9\u0060\u00b4\u2032]")
_PERSON_PARTICLES = frozenset({"bin", "ibn", "bint"})  # "son of": written or not ("Hamza bin Laden")
_PERSON_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})
# Honorifics that are no titles.json title but come before a name as one ("Hajji", "Mawlawi").
_HONORIFICS = frozenset({"sheikh", "shaikh", "shaykh", "sayyed", "sayed", "sayyid", "haji", "hajji", "mullah",
                         "maulawi", "mawlawi", "maulvi", "emir", "amir", "ustadh", "ustaz", "qari", "dr", "eng"})
_ORG_DROP = frozenset({"the", "group"})  # "the Islamic State group" is "Islamic State"
_INITIAL_SKIP = frozenset({"of", "and", "the", "for", "in", "on", "to", "de", "du", "des", "la", "le", "wal"})
_ABD = re.compile(r"^abd(?:ul|el|al|ol|ur|ar|ir|us|as|u|i)?(?=[a-z]{3,}$)")


@lru_cache(maxsize=1)
def _titles() -> tuple[frozenset[str], frozenset[str]]:
    data = load_json("titles.json")
    titles = {t.rstrip(".") for t in data["titles"]} | _HONORIFICS
    given = {t.rstrip(".") for t in data.get("given_name_titles", [])}
    return frozenset(titles), frozenset(given)


# Compiled once: names are cleaned by the hundred thousand, and re.sub() with a pattern string
# looks its pattern up, and a replacement with a group in it builds its template, on every call.
_PUNCT = re.compile(r"[.\"()\[\]/]")
_SEPARATORS = re.compile(r"[\s,;:]+")
_NOT_LETTER = re.compile(r"[^a-z]")
_NOT_ALNUM = re.compile(r"[^a-z0-9]")
_SOMALI_X = re.compile(r"(?<=[aeiou])x(?=[aeiou])")
_DOUBLED_DIGRAPH = re.compile(r"(?<=([kgstdc]))\1(?=h)")  # the first of "kkh", "ssh"
_FINAL_H = re.compile(r"(?<=[aeiou])h$")
_DOUBLED = re.compile(r"(?<=(.))\1+")  # all but the first of a run of one letter
_WORD_BREAK = re.compile(r"[\s\-]+")


def _clean(text: str) -> str:
    """fold() (case, accents, hyphens, leading "the"), with ayn/hamza marks and dots gone."""
    text = unicodedata.normalize("NFKC", text)
    text = _MARKS.sub("", text)
    text = fold(text)
    return _PUNCT.sub(" ", text)


def _words(text: str) -> list[str]:
    return [w for w in _SEPARATORS.split(text) if w]


def _split_abd(word: str) -> list[str]:
    """"Abdurrahman", "Abdul Rahman", "Abd al-Rahman": the servant-of prefix as a word of its own."""
    if word in ("abdul", "abdel", "abdal", "abdol"):
        return ["abd"]
    m = _ABD.match(word)
    if m and len(word) > m.end():
        return ["abd", word[m.end():]]
    return [word]


@lru_cache(maxsize=200_000)
def person_tokens(name: str) -> tuple[str, ...]:
    """A person's name as comparable words: titles and honorifics before it, articles, "bin",
    suffixes gone; "Shara, Ahmed" read as "Ahmed Shara"."""
    if name.count(",") == 1:
        head, tail = (p.strip() for p in name.split(","))
        if head and tail and _clean(tail).rstrip(".") not in _PERSON_SUFFIXES:
            name = f"{tail} {head}"
    words = _words(_clean(name))
    titles, given = _titles()
    while words and (words[0] in titles and words[0] not in given or words[0] in given and len(words) > 2):
        words = words[1:]
    out: list[str] = []
    for i, w in enumerate(words):
        if w in _PERSON_SUFFIXES or (w in _PERSON_PARTICLES and i > 0):
            continue
        if w in ARTICLES and i + 1 < len(words):
            continue
        out.extend(_split_abd(w))
    return tuple(out)


@lru_cache(maxsize=200_000)
def org_tokens(name: str) -> tuple[str, ...]:
    """An organisation's or a place's name as comparable words: articles and "the ... group" gone."""
    words = _words(_clean(name))
    out = [w for i, w in enumerate(words) if not (w in ARTICLES and i + 1 < len(words)) and w not in _ORG_DROP]
    return tuple(out or words)


def tokens(name: str, coarse: str) -> tuple[str, ...]:
    return person_tokens(name) if coarse == "per" else org_tokens(name)


_DIPHTHONG = re.compile(r"[aeiou]*(?:ai|ay|ae|ei|ey)[ei]*")
_AW = re.compile(r"aw|ew|au|ao|ow")
# A diphthong between a consonant and a consonant that a vowel follows, the y of "Qurayshi" and
# "Husayni": Arabic's short-vowel readings write it as that vowel ("Qurashi", "Husaini").
_OPEN_Y = re.compile(r"(?<=[^aeiouy])y(?=[^aeiouy][aeiou])")
_VOWELS = re.compile(r"[aeiou]+")
# The glide y between an i and the vowel after it, which one scheme writes and another leaves to
# the reader: Ziyad/Ziad, Iyad/Iad, Hashimiyya/Hashimia (after another vowel a y is a diphthong's).
_GLIDE = re.compile(r"(?<=i)y+(?=[aeiou])")


@lru_cache(maxsize=200_000)
def _spelled(word: str) -> str:
    """A word with the letters transliterations exchange made one: q/k/c/ck, ph/f, sh/ch (S),
    kh (K), gh (G), th (T), dh (D), Somali x between vowels (h); a doubled digraph ("kkh") one;
    a final h after a vowel gone; the glide y between an i and a vowel gone (Ziyad/Ziad);
    diphthongs (ai ay ae ei ey) y and aw/ew/au/ao/ow w; doubled letters one; a diphthong
    between a consonant and a consonant before a vowel an "a" (Qurayshi/Qurashi: a final one,
    Husayn, stays y, so Husayn is not Hasan)."""
    # (a pattern whose letter is not in the word is not run: a cold pass spells every word once)
    w = word if word.isascii() and word.isalpha() and word.islower() else _NOT_LETTER.sub("", word)
    if not w:
        return word
    if "x" in w:
        w = _SOMALI_X.sub("h", w)
    if "h" in w:
        w = _DOUBLED_DIGRAPH.sub("", w)  # a doubled digraph: "Dakkhara", "Sissham"
        w = w.replace("ph", "f").replace("sh", "S").replace("ch", "S").replace("kh", "K").replace("gh", "G")
        w = w.replace("th", "T").replace("dh", "D")
    w = w.replace("ck", "k").replace("q", "k").replace("c", "k")
    if w[-1] == "h":
        w = _FINAL_H.sub("", w)
    if "iy" in w:
        w = _GLIDE.sub("", w)
    w = _DIPHTHONG.sub("y", w)
    w = _AW.sub("w", w)
    w = _DOUBLED.sub("", w)
    return _OPEN_Y.sub("a", w) if "y" in w else w


@lru_cache(maxsize=200_000)
def skeleton(word: str) -> str:
    """A word as its transliterations share it: its consonants as ``_spelled`` makes them, with
    one V where vowels stand."""
    return _VOWELS.sub("V", _spelled(word))


@lru_cache(maxsize=200_000)
def consonants(word: str) -> str:
    """The skeleton without its vowel places: the coarser key blocks are built on (a typo in a
    vowel, "Mohamd", still meets "Mohamed")."""
    return skeleton(word).replace("V", "") or skeleton(word)


_ACRONYM = re.compile(r"^[A-Z][A-Z0-9.&\-]{0,9}$")


def is_acronym(name: str) -> bool:
    """"HTS", "ISIS-K", "U.S.", "CENTCOM": a name of capitals alone, one word."""
    name = _MARKS.sub("", name.strip())
    letters = [c for c in name if c.isalpha()]
    return bool(_ACRONYM.match(name)) and 2 <= len(letters) <= 8 and all(c.isupper() for c in letters)


def acronym_of(name: str) -> str:
    """The letters of an acronym as a key: "ISIS-K" -> "isisk", "U.S." -> "us"."""
    return _NOT_ALNUM.sub("", fold(name))


def initials(name: str) -> str | None:
    """The acronym a multi-word name makes of its initials: "Hayat Tahrir al-Sham" -> "hts",
    "Islamic State of Iraq and Syria" -> "isis"; a word in capitals gives all its letters
    ("US Central Command" -> "uscc")."""
    raw = [w for w in _WORD_BREAK.split(_MARKS.sub("", name)) if w]
    letters = []
    for w in raw:
        low = fold(w)
        if not low or low in _INITIAL_SKIP or low in ARTICLES:
            continue
        if is_acronym(w):
            letters.append(acronym_of(w))
        elif w[0].isalpha():
            letters.append(fold(w[0]))
    if len(letters) < 2:
        return None
    return "".join(letters)


def token_score(a: str, b: str) -> float:
    """How alike two name words are: 1 for one spelling, 0.95 for one skeleton, else the
    rapidfuzz ratio (0..1) where the skeletons differ, of the words as written or of their
    spellings (``_spelled``), whichever is closer: a letter dropped from "Bahadah" leaves
    "Bahdah", which the final h and the spelling rules put nearer "Bahada" than its letters do."""
    from rapidfuzz.fuzz import ratio

    if a == b:
        return 1.0
    if skeleton(a) == skeleton(b) and ratio(_spelled(a), _spelled(b)) >= 55:
        return 0.95  # one skeleton, and vowels not too far apart (Omar is not Amir)
    return max(ratio(a, b), ratio(_spelled(a), _spelled(b))) / 100.0


@lru_cache(maxsize=200_000)
def context_sig(key: str) -> str:
    """A co-occurring entity's key as spelling-tolerant evidence: its coarse type and the
    skeletons of its words, so "org:al shabaab" and "org:al shabab" are one piece of context."""
    coarse, _, name = key.partition(":")
    if coarse == "loc" and name.startswith(("geonames:", "iso3166-2:")):
        return key
    return coarse + ":" + " ".join(consonants(t) for t in org_tokens(name))
