"""Reading pages in tests: elements found by ``data-testid`` in a parsed tree, not regular expressions on markup.

    page = parse(response)
    [row.testid for row in page.find_all(testid_prefix="row-")]
    page.find(testid="ticket-count").text
    page.find("input", type="password").html      # the element's own markup, as the server sent it

Built on the standard library's ``html.parser``: the templates' markup is well formed, so an end tag
closes the nearest open element of its name and void elements (``<input>``, ``<br>``) never open one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from itertools import accumulate
from typing import Any

VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"})


@dataclass(eq=False)
class Element:
    tag: str
    attrs: dict[str, str]
    parent: Element | None = field(default=None, repr=False)
    children: list[Element | str] = field(default_factory=list, repr=False)
    source: str = field(default="", repr=False)
    start: int = 0
    end: int = 0
    inner_start: int = 0
    inner_end: int = 0

    # --- what the element holds --------------------------------------------------------------------------------

    @property
    def html(self) -> str:
        """The element's markup as the server sent it, its start tag to its end tag."""
        return self.source[self.start:self.end]

    @property
    def inner_html(self) -> str:
        return self.source[self.inner_start:self.inner_end]

    @property
    def text(self) -> str:
        """The text a reader sees, runs of white space as one space."""
        return " ".join(self.raw_text.split())

    @property
    def raw_text(self) -> str:
        return "".join(child if isinstance(child, str) else child.raw_text for child in self.children)

    @property
    def testid(self) -> str | None:
        return self.attrs.get("data-testid")

    @property
    def classes(self) -> list[str]:
        return self.attrs.get("class", "").split()

    def get(self, name: str, default: str | None = None) -> str | None:
        return self.attrs.get(name, default)

    def has(self, name: str) -> bool:
        """Whether the attribute is present (``checked``, ``selected``, ``open`` carry no value)."""
        return name in self.attrs

    # --- finding elements --------------------------------------------------------------------------------------

    def iter(self):
        """Every element below this one, in document order."""
        for child in self.children:
            if isinstance(child, Element):
                yield child
                yield from child.iter()

    def find_all(self, tag: str | None = None, *, testid: str | None = None, testid_prefix: str | None = None,
                 class_: str | None = None, **attrs: Any) -> list[Element]:
        """The elements below this one that match, in document order.

        ``attrs`` compare exactly (``name="status"``); ``True`` asks only that the attribute is present
        (``checked=True``). ``class_`` is one class among the element's classes. An attribute with a
        hyphen is written with an underscore (``aria_current="page"``).
        """
        wanted = {name.replace("_", "-"): value for name, value in attrs.items()}
        return [
            element for element in self.iter()
            if (tag is None or element.tag == tag)
            and (testid is None or element.testid == testid)
            and (testid_prefix is None or (element.testid or "").startswith(testid_prefix))
            and (class_ is None or class_ in element.classes)
            and all(
                name in element.attrs if value is True else element.attrs.get(name) == value
                for name, value in wanted.items()
            )
        ]

    def find(self, tag: str | None = None, **criteria: Any) -> Element:
        """The first element that matches; the test fails when there is none."""
        found = self.find_all(tag, **criteria)
        assert found, f"no <{tag or '*'}> with {criteria} in {self.tag}"
        return found[0]

    def find_one(self, tag: str | None = None, **criteria: Any) -> Element:
        """The only element that matches; the test fails when there is none or more than one."""
        found = self.find_all(tag, **criteria)
        assert len(found) == 1, f"{len(found)} <{tag or '*'}> with {criteria} in {self.tag}, expected one"
        return found[0]

    def exists(self, tag: str | None = None, **criteria: Any) -> bool:
        return bool(self.find_all(tag, **criteria))


class _TreeBuilder(HTMLParser):
    def __init__(self, source: str):
        super().__init__(convert_charrefs=True)
        self.source = source
        # getpos() counts lines by "\n" alone (not by every line break str.splitlines knows)
        self.line_starts = [0, *accumulate(len(line) + 1 for line in source.split("\n"))]
        self.root = Element("#document", {}, source=source, end=len(source), inner_end=len(source))
        self.open: list[Element] = [self.root]

    def _offset(self) -> int:
        line, column = self.getpos()
        return self.line_starts[line - 1] + column

    def handle_starttag(self, tag, attrs):
        start = self._offset()
        end = start + len(self.get_starttag_text() or "")
        element = Element(tag, {name: value or "" for name, value in attrs}, parent=self.open[-1], source=self.source,
                          start=start, end=end, inner_start=end, inner_end=end)
        self.open[-1].children.append(element)
        if tag not in VOID:
            self.open.append(element)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.open.pop()

    def handle_endtag(self, tag):
        names = [element.tag for element in self.open]
        if tag not in names[1:]:
            return  # a stray end tag: ignored, as a browser does
        start = self._offset()
        end = self.source.index(">", start) + 1
        while True:
            element = self.open.pop()
            element.inner_end, element.end = start, end
            if element.tag == tag:
                break

    def handle_data(self, data):
        self.open[-1].children.append(data)

    def close(self):
        super().close()
        while len(self.open) > 1:  # elements never closed end with the document
            element = self.open.pop()
            element.inner_end = element.end = len(self.source)


def parse(page: Any) -> Element:
    """The document tree of an HTML page: a string, bytes, or a test client's response."""
    if hasattr(page, "content"):
        page = page.content
    if isinstance(page, bytes):
        page = page.decode("utf-8", "replace")
    builder = _TreeBuilder(page)
    builder.feed(page)
    builder.close()
    return builder.root


def testids(page: Any, prefix: str) -> list[str]:
    """What follows ``prefix`` in the ``data-testid`` of each element that has one, in document order."""
    root = page if isinstance(page, Element) else parse(page)
    return [element.testid.removeprefix(prefix) for element in root.find_all(testid_prefix=prefix)
            if element.testid is not None]


def without_csrf_tokens(page: Any) -> str:
    """The page's markup with the value of each CSRF token input left out, to compare two pages for equality."""
    root = page if isinstance(page, Element) else parse(page)
    markup = root.source
    for element in reversed(root.find_all("input", name="csrfmiddlewaretoken")):
        markup = markup[:element.start] + markup[element.end:]
    return markup
