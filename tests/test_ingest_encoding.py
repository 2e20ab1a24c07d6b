"""Text in legacy and wide encodings is read right, and the store records what it was read as and how sure."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from liaison import pipeline
from liaison.ingest.decode import LOW_CONFIDENCE, decode
from test_ingest_hostile import _settings

FRENCH = ("PARIS, 12 mars 2025 - Le ministère de l'Intérieur a annoncé mardi que l'arrêté préfectoral "
          "interdisant la manifestation à Nantes était maintenu. Selon le préfet, « les forces de l'ordre "
          "seront déployées » dès mercredi matin, et les organisateurs ont dénoncé une décision "
          "« disproportionnée ».")
GERMAN = ("Die Bundeswehr hat am Dienstag bestätigt, dass zwei Kompanien nach Litauen verlegt werden. "
          "Der Minister sagte, die Größe der Truppe sei „angemessen“ – über weitere Schritte werde später "
          "entschieden.")
GERMAN_LATIN1 = ("Die Bundeswehr hat am Dienstag bestätigt, dass zwei Kompanien nach Litauen verlegt werden. "
                 "Der Minister sagte, die Größe der Truppe sei angemessen; über weitere Schritte werde später "
                 "entschieden.")
ARABIC = ("أعلنت وزارة الدفاع العراقية يوم الثلاثاء أن قوات الأمن نفذت عملية في محافظة الأنبار أسفرت عن "
          "اعتقال خمسة مشتبه بهم، وقال المتحدث باسم الوزارة إن العملية جاءت بعد معلومات استخباراتية.")
RUSSIAN = ("Министерство обороны России заявило во вторник, что подразделения провели операцию в Курской "
           "области. По словам представителя ведомства, были задержаны пять человек.")
ENGLISH = "KABUL, Nov. 12, 2025 - Afghan forces said they arrested three suspects in Kabul on Tuesday."

CASES = [
    # name, text, how it is written, what the store must record
    ("french_cp1252", FRENCH, "cp1252", "cp1252"),
    ("german_cp1252", GERMAN, "cp1252", "cp1252"),
    ("german_latin1", GERMAN_LATIN1, "latin-1", "cp1252"),  # Windows-1252 is its superset, as on the web
    ("arabic_cp1256", ARABIC, "cp1256", "cp1256"),
    ("russian_koi8r", RUSSIAN, "koi8-r", "koi8_r"),
    ("english_utf16le", ENGLISH, "utf-16-le", "utf-16-le"),
    ("russian_utf16be", RUSSIAN, "utf-16-be", "utf-16-be"),
    ("arabic_utf16le", ARABIC, "utf-16-le", "utf-16-le"),
    ("english_utf32le", ENGLISH, "utf-32-le", "utf-32-le"),
]


@pytest.mark.parametrize(("name", "text", "codec", "recorded"), CASES, ids=[c[0] for c in CASES])
def test_legacy_and_bomless_encodings_decode_to_the_original_text(name, text, codec, recorded):
    found = decode(text.encode(codec), name)
    assert found.text == text
    assert found.encoding == recorded
    assert found.confidence >= LOW_CONFIDENCE


def test_short_french_in_cp1252_is_not_read_as_central_european():
    # charset-normalizer alone reads this as cp1250: "L'arręté du ministčre".
    found = decode("L'arrêté du ministère a été publié mardi.".encode("cp1252"), "short.txt")
    assert (found.text, found.encoding) == ("L'arrêté du ministère a été publié mardi.", "cp1252")


def test_a_near_tie_goes_to_windows_1252_and_is_flagged_as_a_guess():
    # English around two French words: nothing tells cp1252 ("Crèche") from cp1250 ("Crčche").
    found = decode("Troops met at the Crèche on Tuesday.".encode("cp1252"), "tie.txt")
    assert (found.text, found.encoding) == ("Troops met at the Crèche on Tuesday.", "cp1252")
    assert found.confidence < LOW_CONFIDENCE


def test_short_russian_in_koi8r_is_not_read_as_japanese():
    text = "Министерство обороны заявило, что войска прибыли."
    assert decode(text.encode("koi8-r"), "short.txt").text == text  # charset-normalizer alone: cp932


def test_html_meta_charset_decides_over_detection():
    # Bytes that detection alone reads as one thing; the page says what they are.
    body = "Министерство обороны заявило, что войска прибыли."
    page = (f'<html><head><meta charset="windows-1251"><title>t</title></head><body><p>{body}</p></body>'
            "</html>").encode("cp1251")
    found = decode(page, "page.html", html=True)
    assert body in found.text and (found.encoding, found.confidence) == ("cp1251", 1.0)
    declared = decode(body.encode("koi8-r"), "x.txt", declared="KOI8-R")
    assert declared.text == body and declared.encoding == "koi8_r"


def test_html_declaring_latin1_is_read_as_windows_1252():
    page = '<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1"><p>l’arrêté</p>'
    found = decode(page.encode("cp1252"), "page.html", html=True)
    assert "l’arrêté" in found.text and found.encoding == "cp1252"


def test_mixed_utf8_and_cp1252_html_reads_each_part_in_its_own_encoding_with_a_note():
    page = ('<html><head><meta charset="utf-8"></head><body><p>Le ministère a déclaré '.encode()
            + "que l’arrêté « préfectoral » ".encode("cp1252") + "a été publié à Paris.</p></body></html>".encode())
    found = decode(page, "mixed.html", html=True)
    assert "Le ministère a déclaré que l’arrêté « préfectoral » a été publié à Paris." in found.text
    assert found.encoding == "utf-8+cp1252" and found.note and "Windows-1252" in found.note


def test_binary_with_nul_bytes_anywhere_is_still_refused():
    from liaison.errors import InputError

    with pytest.raises(InputError, match="binary"):
        decode(bytes(range(256)) * 8, "x.txt")


def test_ingest_stores_the_encoding_and_confidence_and_warns_about_a_guess(store, tmp_path: Path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "arabic.txt").write_bytes(ARABIC.encode("cp1256"))
    (folder / "english.txt").write_bytes(ENGLISH.encode("utf-16-le"))
    (folder / "short.txt").write_bytes(("KABUL, Nov. 12, 2025 - L'arrêté du ministère a été publié.").encode("cp1252"))
    (folder / "plain.json").write_text(json.dumps({"text": ENGLISH}))
    report = pipeline.ingest([str(folder)], _settings(tmp_path, store), store)
    assert not report.failures and report.new == 4
    stored = {Path(doc.source_key).name: doc for doc in store.documents(text=True)}
    assert stored["arabic.txt"].text == ARABIC
    assert (stored["arabic.txt"].encoding, stored["english.txt"].encoding) == ("cp1256", "utf-16-le")
    assert stored["english.txt"].text == ENGLISH and stored["english.txt"].encoding_confidence == 1.0
    assert (stored["plain.json"].encoding, stored["plain.json"].encoding_confidence) == ("ascii", 1.0)
    assert stored["short.txt"].encoding == "cp1252" and stored["short.txt"].encoding_confidence < LOW_CONFIDENCE
    [(name, line)] = report.warnings
    assert name.endswith("short.txt")
    assert line.startswith("text encoding guessed as cp1252, confidence 0.") and "\n" not in line
