"""Numbers written as digits or words: "19", "2,000", "five", "twenty-two", "1.5 million", "a dozen"."""

from __future__ import annotations

import re

_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "a": 1, "an": 1,
}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
         "ninety": 90}
_SCALES = {"hundred": 100, "thousand": 1000, "million": 1_000_000, "billion": 1_000_000_000}
_DOZEN = {"dozen": 12}
_DIGITS = re.compile(r"^\d{1,3}(,\d{3})+$|^\d+(\.\d+)?$")


def parse_number(words: list[str]) -> int | None:
    """The integer that ``words`` spell, or None when they are not one number ("dozens")."""
    if not words:
        return None
    total, current, seen = 0, 0.0, False
    for raw in words:
        for word in raw.lower().replace("-", " ").split():
            if _DIGITS.match(word):
                current += float(word.replace(",", ""))
            elif word in _UNITS:
                current += _UNITS[word]
            elif word in _TENS:
                current += _TENS[word]
            elif word in _DOZEN:
                current = (current or 1) * 12
            elif word in _SCALES:
                current = (current or 1) * _SCALES[word]
                if _SCALES[word] >= 1000:
                    total += current
                    current = 0
            elif word == "and":
                continue
            else:
                return None
            seen = True
    if not seen:
        return None
    value = total + current
    return int(value) if value == int(value) else None


def is_number_word(text: str) -> bool:
    word = text.lower()
    return bool(_DIGITS.match(word)) or word in _UNITS and word not in ("a", "an") or word in _TENS \
        or word in _SCALES or word in _DOZEN or "-" in word and all(
            w in _TENS or w in _UNITS for w in word.split("-"))
