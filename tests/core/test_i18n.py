"""Every user-facing string is translated into English, and the compiled catalogue is current.

Vietnamese is written in the code (it is the msgid); English lives in
ecosystem/translations/en/LC_MESSAGES/messages.po. These tests extract the strings from the
source as `make messages` does, so a new string without an English translation fails here.
Fix: `make messages`, translate the new entries in the English .po, then `make translations`.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "ecosystem" / "translations"
EN_PO = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"
EN_MO = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.mo"
# The same keywords as `make messages`.
KEYWORDS = ["-k", "_l", "-k", "lazy_gettext", "-k", "lazy_ngettext:1,2", "-k", "lazy_pgettext:1c,2"]
# %(name)s with its conversion; %% is a literal percent sign, not a placeholder.
PLACEHOLDER = re.compile(r"%(?:%|\((\w+)\)[#0 +-]*\d*(?:\.\d+)?([diouxXeEfFgGcrsa]))")
SAMPLES = {"d": 1, "i": 1, "o": 1, "u": 1, "x": 1, "X": 1, "c": 65}


def _read_po(path: Path):
    with path.open("rb") as handle:
        return read_po(handle, locale="en")


def _key(message) -> str:
    return message.id[0] if isinstance(message.id, tuple) else message.id


def _forms(value) -> tuple[str, ...]:
    if isinstance(value, tuple | list):
        return tuple(value)
    return (value or "",)


def _placeholders(text: str) -> set[tuple[str, str]]:
    return {(name, kind) for name, kind in PLACEHOLDER.findall(text) if name}


@pytest.fixture(scope="module")
def source_messages(tmp_path_factory) -> list[str]:
    """The msgids in the source right now, not those someone remembered to put in the .pot."""
    pot = tmp_path_factory.mktemp("i18n") / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "-q", "extract", "-F", "babel.cfg"]
        + KEYWORDS
        + ["--no-location", "-o", str(pot), "."],
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=60,
    )
    messages = [_key(m) for m in _read_po(pot) if m.id]
    assert len(messages) > 100, "extraction found almost nothing: is babel.cfg still right?"
    return messages


@pytest.fixture(scope="module")
def english():
    return _read_po(EN_PO)


def test_every_string_in_the_source_has_an_english_translation(source_messages, english):
    translated = {_key(m): m for m in english if m.id}
    missing = [m for m in source_messages if m not in translated]
    empty = [
        m for m in source_messages if m in translated and not all(_forms(translated[m].string))
    ]
    fuzzy = [m for m in source_messages if m in translated and translated[m].fuzzy]
    problems = {
        "not in the English catalogue": missing,
        "without an English translation": empty,
        "marked fuzzy (check the translation, then remove the flag)": fuzzy,
    }
    report = [f"{what}: {items}" for what, items in problems.items() if items]
    assert not report, (
        f"run `make messages`, then translate in {EN_PO.relative_to(ROOT)}:\n" + "\n".join(report)
    )


def test_translations_keep_the_placeholders(english):
    wrong = []
    for message in english:
        if not message.id:
            continue
        ids = _forms(message.id)
        wanted = set().union(*(_placeholders(text) for text in ids))
        for text in _forms(message.string):
            if not text:
                continue
            if _placeholders(text) != wanted:
                wrong.append((ids[0], text))
            elif wanted:
                # Flask-Babel formats with %: the translation must format like the msgid.
                values = {
                    name: SAMPLES.get(kind, 1.5 if kind in "eEfFgG" else "x")
                    for name, kind in wanted
                }
                try:
                    text % values
                except (ValueError, TypeError, KeyError) as error:
                    wrong.append((ids[0], f"{text}  [{error}]"))
    assert not wrong, "placeholders differ from the msgid:\n" + "\n".join(map(str, wrong))


def test_compiled_english_catalogue_is_up_to_date(english):
    assert EN_MO.exists(), f"{EN_MO.relative_to(ROOT)} is missing: run `make translations`"
    expected = {
        _hashable(m.id): _hashable(m.string)
        for m in english
        if m.id and not m.fuzzy and all(_forms(m.string))
    }
    with EN_MO.open("rb") as handle:
        compiled = {_hashable(m.id): _hashable(m.string) for m in read_mo(handle) if m.id}
    stale = sorted(
        _key_text(k)
        for k in expected.keys() | compiled.keys()
        if expected.get(k) != compiled.get(k)
    )
    assert not stale, (
        f"messages.mo differs from messages.po (run `make translations`): {stale[:20]}"
    )


def _hashable(value):
    """read_mo gives plural ids and strings as lists, read_po as tuples."""
    return tuple(value) if isinstance(value, tuple | list) else value


def _key_text(key) -> str:
    return key[0] if isinstance(key, tuple) else key
