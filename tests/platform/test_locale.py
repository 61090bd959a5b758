import shutil
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po
from django.utils import translation

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ["core", "accounts", "matching", "events", "seeds", "config", "manage.py"]


def catalog(root: Path, language: str):
    with open(root / "config" / "locale" / language / "LC_MESSAGES" / "django.po", "rb") as handle:
        return read_po(handle, locale=language)


def msgids(cat) -> set:
    return {message.id for message in cat if message.id}


def test_every_korean_message_is_translated():
    untranslated = [
        message.id
        for message in catalog(ROOT, "ko")
        if message.id
        and (message.fuzzy or not all(message.string if isinstance(message.string, tuple) else [message.string]))
    ]
    assert untranslated == []


def test_the_catalogs_hold_every_string_of_the_source(tmp_path):
    # Extract afresh from a copy of the code: a new string without a translation fails here.
    for name in SOURCES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
        else:
            shutil.copy(source, tmp_path / name)
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "ko", "-l", "en", "--no-obsolete"],
        cwd=tmp_path,
        check=True,
        capture_output=True,
        text=True,
    )
    for language in ("ko", "en"):
        assert msgids(catalog(tmp_path, language)) == msgids(catalog(ROOT, language)), language


def test_korean_is_the_default_and_english_is_complete():
    # English msgids are the source text, so the English catalog needs no msgstr.
    with translation.override("ko"):
        assert str(translation.gettext("Partnering Salon")) == "파트너링 살롱"
    with translation.override("en"):
        assert str(translation.gettext("Partnering Salon")) == "Partnering Salon"
    assert msgids(catalog(ROOT, "en")) == msgids(catalog(ROOT, "ko"))
