"""Every user-facing string has a translation in every language the portal offers (Norwegian Bokmål,
Finnish, Estonian and Dutch), and each committed .mo file is compiled from the committed .po file."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Every language of settings.LANGUAGES but the source language.
TRANSLATED = ["nb", "fi", "et", "nl"]
SOURCES = ["portal", "challenges", "suppliers", "exchanges", "templates", "manage.py", "locale"]

pytestmark = pytest.mark.skipif(
    shutil.which("xgettext") is None or shutil.which("msgfmt") is None,
    reason="needs GNU gettext (apt-get install -y gettext)",
)


def _entries(po_text: str) -> list[dict]:
    """A small .po reader: msgid, msgid_plural, msgstr / msgstr[n] and flags of each entry."""
    entries, current, field = [], None, None
    for raw in [*po_text.splitlines(), ""]:
        line = raw.strip()
        if not line:
            if current and current.get("msgid") is not None:
                entries.append(current)
            current, field = None, None
            continue
        current = current or {"flags": "", "msgstr": []}
        if line.startswith("#,"):
            current["flags"] += line
        elif line.startswith("#"):
            continue
        elif line.startswith("msgid_plural "):
            field = "msgid_plural"
            current[field] = line[13:].strip('"')
        elif line.startswith("msgid "):
            field = "msgid"
            current[field] = line[6:].strip('"')
        elif line.startswith("msgstr"):
            field = "msgstr"
            current["msgstr"].append(line.split(" ", 1)[1].strip('"'))
        elif line.startswith('"') and field == "msgstr":
            current["msgstr"][-1] += line.strip('"')
        elif line.startswith('"') and field:
            current[field] += line.strip('"')
    return [entry for entry in entries if entry["msgid"]]


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> Path:
    """makemessages over a copy of the sources, merged with the committed catalogue."""
    work = tmp_path_factory.mktemp("i18n")
    for name in SOURCES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, work / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, work / name)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings.test", "PYTHONPATH": str(work)}
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", *(f"-l{code}" for code in TRANSLATED), "--no-obsolete"],
        cwd=work,
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    return work / "locale"


def _po(locale: Path, code: str) -> Path:
    return locale / code / "LC_MESSAGES" / "django.po"


def test_the_checked_languages_are_the_offered_ones(settings):
    assert sorted(TRANSLATED) == sorted(code for code, _name in settings.LANGUAGES if code != "en")


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_string_has_a_translation(extracted, code):
    missing = [
        entry["msgid"]
        for entry in _entries(_po(extracted, code).read_text())
        if "fuzzy" in entry["flags"] or not all(entry["msgstr"])
    ]
    assert missing == []


@pytest.mark.parametrize("code", TRANSLATED)
def test_committed_catalogue_is_up_to_date_with_the_sources(extracted, code):
    committed = {entry["msgid"] for entry in _entries(_po(ROOT / "locale", code).read_text())}
    current = {entry["msgid"] for entry in _entries(_po(extracted, code).read_text())}
    assert sorted(current - committed) == []


@pytest.mark.parametrize("code", TRANSLATED)
def test_committed_mo_is_compiled_from_the_po(tmp_path, code):
    po = _po(ROOT / "locale", code)
    compiled = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check-format", "-o", str(compiled), str(po)], check=True, timeout=60)
    assert compiled.read_bytes() == po.with_suffix(".mo").read_bytes()
