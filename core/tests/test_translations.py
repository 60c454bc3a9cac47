"""Russian is the default language: every catalogue is complete."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CATALOGUES = sorted(
    p for p in ROOT.glob("**/locale/ru/LC_MESSAGES/django.po") if ".venv" not in p.parts
)


def duplicates(po: Path) -> list[str]:
    """msgids defined twice (msgfmt refuses such a catalogue)."""
    seen: set[tuple[str | None, str]] = set()
    twice = []
    for entry in po.read_text(encoding="utf-8").split("\n\n"):
        lines = [line for line in entry.strip().splitlines() if not line.startswith("#~")]
        msgid = _field(lines, "msgid")
        if not msgid:
            continue
        key = (_field(lines, "msgctxt"), msgid)
        if key in seen:
            twice.append(msgid)
        seen.add(key)
    return twice


def untranslated(po: Path) -> list[str]:
    """msgids whose translation (or any plural form of it) is empty or fuzzy."""
    missing = []
    for entry in po.read_text(encoding="utf-8").split("\n\n"):
        lines = entry.strip().splitlines()
        msgid = _field(lines, "msgid")
        if not msgid:
            continue  # the header
        if any(line.startswith("#,") and "fuzzy" in line for line in lines):
            missing.append(msgid)
            continue
        forms = [
            _field(lines, k) for k in ("msgstr", "msgstr[0]", "msgstr[1]", "msgstr[2]", "msgstr[3]")
        ]
        plural = _field(lines, "msgid_plural") is not None
        wanted = forms[1:] if plural else forms[:1]
        if any(not form for form in wanted):
            missing.append(msgid)
    return missing


def _field(lines: list[str], key: str) -> str | None:
    """The concatenated string value of `key` in a .po entry (None if absent)."""
    value, inside = None, False
    for line in lines:
        if line.startswith(f"{key} "):
            value, inside = _unquote(line[len(key) + 1 :]), True
        elif inside and line.startswith('"'):
            value += _unquote(line)
        else:
            inside = False
    return value


def _unquote(text: str) -> str:
    return re.sub(r'^"|"$', "", text.strip())


def test_there_are_catalogues():
    assert len(CATALOGUES) >= 4


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_message_is_translated_to_russian(po):
    assert untranslated(po) == []


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_message_is_defined_twice(po):
    assert duplicates(po) == []


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_catalogue_is_compiled(po):
    mo = po.with_suffix(".mo")
    assert mo.exists(), f"{mo} is missing: run compilemessages"


# Where each catalogue's messages come from: the apps keep their own, the
# project catalogue takes everything else (templates/, config/, sandbox/).
APPS = ["core", "recruiting", "freelancers", "supportchat"]
IGNORED = [".venv", ".git", "bench", "docs", "static", "media", "staticfiles", "node_modules"]


def makemessages(tree: Path, catalogue_dir: Path) -> Path:
    """Run makemessages for one catalogue inside a copy of the tree."""
    ignores = IGNORED + (APPS if catalogue_dir == tree else [])
    subprocess.run(
        [sys.executable, str(tree / "manage.py"), "makemessages", "-l", "ru", "--no-location"]
        + [f"--ignore={name}" for name in ignores],
        cwd=catalogue_dir,
        env={**os.environ, "DEBUG": "true", "PYTHONPATH": str(tree)},
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    )
    return catalogue_dir / "locale" / "ru" / "LC_MESSAGES" / "django.po"


@pytest.fixture(scope="module")
def fresh_tree(tmp_path_factory) -> Path:
    tree = tmp_path_factory.mktemp("tree") / "src"
    shutil.copytree(
        ROOT, tree, ignore=shutil.ignore_patterns(*IGNORED, "*.sqlite3*", "__pycache__")
    )
    return tree


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext is not installed")
@pytest.mark.parametrize("where", [".", *APPS])
def test_every_message_in_the_code_is_in_its_catalogue(fresh_tree, where):
    """The catalogues are up to date: a fresh makemessages finds nothing new."""
    catalogue_dir = (fresh_tree / where).resolve()
    assert untranslated(makemessages(fresh_tree, catalogue_dir)) == []
