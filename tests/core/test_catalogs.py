"""The Italian and German catalogs are complete: every text of the project is translated, none is fuzzy."""

import re
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parents[2] / "tessera/locale"


def entries(po: str) -> list[str]:
    """The catalog's entries (blocks separated by blank lines), without the header and obsolete ones."""
    blocks = [block for block in po.split("\n\n") if block.strip() and not block.lstrip().startswith("#~")]
    return [block for block in blocks if not re.search(r'^msgid ""\nmsgstr ""', block, re.M) or "msgctxt" in block
            or re.search(r'^msgid ""\n"', block, re.M)]


def untranslated(block: str) -> bool:
    strings = re.findall(r'^(msgstr(?:\[\d\])?) ((?:".*"\n?)+)', block + "\n", re.M)
    return not strings or any(not "".join(re.findall(r'"(.*)"', text)) for _name, text in strings)


@pytest.mark.parametrize("language", ["it", "de"])
def test_every_text_is_translated_and_none_is_fuzzy(language):
    po = (LOCALE / language / "LC_MESSAGES/django.po").read_text()
    blocks = entries(po)
    assert len(blocks) > 500
    fuzzy = [block for block in blocks if re.search(r"^#,.*\bfuzzy\b", block, re.M)]
    missing = [block for block in blocks if untranslated(block)]
    assert fuzzy == [] and missing == []
