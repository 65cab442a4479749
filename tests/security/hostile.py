"""Hostile strings and the hypothesis settings shared by the tests/security/test_hostile_*.py modules."""

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

XSS = (
    "<script>alert(7331)</script>",
    '"><svg onload=alert(7331)>',
    "<img src=x onerror=alert(7331)>",
    "</textarea><script>alert(7331)</script>",
    "javascript:alert(7331)",
)
FORMULAS = ("=cmd|' /C calc'!A0", "+1", "-1", "@SUM(1)", "=HYPERLINK(\"http://x\")", "\t=1", "\r=1")
FIXED = (
    *XSS,
    *FORMULAS,
    "x\r\nBcc: a@b.c",
    "x\nSubject: spoofed",
    "\u202eexe.txt",
    "\u202egnp.exe",
    "раураl Тessera",  # Cyrillic homoglyphs
    "ｔｅｓｓｅｒａ",
    "\ufeff\u200b\u200d",
    "\x00",
    "a\x00b",
    "\x07\x08\x1b[31m\x7f",
    "../../etc/passwd",
    "..\\..\\boot.ini",
    "{{ 7|add:7 }}{% now 'Y' %}",
    "%s%s%n%(x)s",
    "' OR 1=1 --",
    "𝕿𝖊𝖘𝖘𝖊𝖗𝖆 🏥",
    "",
    " ",
)
#: The payloads that must never come back unescaped in a page.
UNSAFE_MARKERS = tuple(p for p in XSS if p.startswith(("<", '"', "</")))

chars = st.characters(exclude_categories=("Cs",))  # lone surrogates cannot be encoded: skip them
hostile = st.one_of(
    st.sampled_from(FIXED),
    st.text(chars, max_size=300),
    st.builds(lambda a, b: a + b, st.sampled_from(FIXED), st.text(chars, max_size=50)),
    st.builds(lambda s, n: (s * (n // max(len(s), 1) + 1))[:n], st.sampled_from(FIXED[:8] + ("x", "é")),
              st.integers(10_000, 100_000)),
)
#: What may be stored directly (bypassing forms): PostgreSQL refuses NUL in text, titles are 200 at most.
storable = st.text(chars, max_size=60).map(lambda s: s.replace("\x00", "")) | st.sampled_from(
    [f for f in FIXED if "\x00" not in f]
)



def examples(wanted: int) -> int:
    """``wanted`` examples, at most the hypothesis profile's (tests/conftest.py: "fast" tries only a few)."""
    return min(wanted, settings().max_examples)


PROPERTY = settings(
    max_examples=examples(30), deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
FEW = settings(PROPERTY, max_examples=examples(15))


def assert_no_unsafe_markers(page: str, name: str = "") -> None:
    for marker in UNSAFE_MARKERS:
        assert marker not in page, (name, marker)
