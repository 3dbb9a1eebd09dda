"""Every translatable string in the code and templates has a Traditional Chinese msgstr.

Django's ``makemessages`` runs over a copy of the sources into a copy of the locale
directory (the real .po is never rewritten here), as the .po header says to regenerate it;
any entry it leaves untranslated or fuzzy is a string the .po lacks or has only guessed.
"""

import fnmatch
import os
import re
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent
PO = Path("locale") / "zh_Hant" / "LC_MESSAGES" / "django.po"
# As the .po header's own command: no virtualenv, no tests.
SKIPPED = {".venv", ".git", ".devstack", "node_modules", "tests", "locale", "media"}
SOURCES = ("*.py", "*.html", "*.txt")
ESCAPES = {'\\"': '"', "\\\\": "\\", "\\n": "\n", "\\t": "\t"}


def _copy_sources(target: Path) -> None:
    for directory, subdirectories, files in os.walk(ROOT):
        if Path(directory) == ROOT:
            subdirectories[:] = [name for name in subdirectories if name not in SKIPPED]
        for name in files:
            if any(fnmatch.fnmatch(name, pattern) for pattern in SOURCES):
                source = Path(directory) / name
                copy = target / source.relative_to(ROOT)
                copy.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, copy)
    (target / PO).parent.mkdir(parents=True)
    shutil.copyfile(ROOT / PO, target / PO)


def _unquote(lines: list[str]) -> str:
    """A field's text from its quoted lines, with the .po escapes read."""
    text = "".join(re.sub(r'^[^"]*"(.*)"$', r"\1", line) for line in lines)
    return re.sub(r'\\["\\nt]', lambda match: ESCAPES[match.group()], text)


def untranslated(po_text: str) -> list[str]:
    """The msgids of the entries that are fuzzy or have an empty msgstr (header excluded)."""
    missing = []
    for block in po_text.split("\n\n"):
        lines = [line for line in block.splitlines() if line and not line.startswith("#~")]
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in lines)
        fields: dict[str, list[str]] = {}
        current = None
        for line in lines:
            if line.startswith("#"):
                continue
            if not line.startswith('"'):
                current = line.split(" ", 1)[0]
            fields.setdefault(current, []).append(line)
        msgid = _unquote(fields.get("msgid", []))
        if not msgid:
            continue
        translations = [
            _unquote(value) for key, value in fields.items() if key.startswith("msgstr")
        ]
        if fuzzy or not all(translations):
            missing.append(msgid)
    return missing


def test_the_parser_finds_empty_and_fuzzy_entries():
    po_text = (
        'msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "Done"\nmsgstr "完成"\n\n'
        'msgid "Empty"\nmsgstr ""\n\n'
        '#, fuzzy\nmsgid "Guessed"\nmsgstr "猜測"\n\n'
        'msgid "one"\nmsgid_plural "many"\nmsgstr[0] ""\n\n'
        'msgid ""\n"Split "\n"line"\nmsgstr ""\n"分行"\n'
    )
    assert untranslated(po_text) == ["Empty", "Guessed", "one"]


@pytest.mark.skipif(
    shutil.which("xgettext") is None, reason="makemessages needs GNU gettext (xgettext)"
)
def test_every_translatable_string_has_a_chinese_translation(tmp_path, monkeypatch, settings):
    _copy_sources(tmp_path)
    monkeypatch.chdir(tmp_path)
    settings.LOCALE_PATHS = [tmp_path / "locale"]

    call_command("makemessages", locale=["zh_Hant"], verbosity=0)

    missing = untranslated((tmp_path / PO).read_text(encoding="utf-8"))
    assert missing == [], (
        "No Traditional Chinese msgstr (add them by hand at the end of the .po, then msgfmt):\n"
        + "\n".join(missing)
    )
