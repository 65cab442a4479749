"""Agents' replies and notes in Markdown (CommonMark), turned into HTML that is safe to show anywhere.

markdown-it-py renders CommonMark with raw HTML switched off, so what an agent
types as ``<script>`` is text; nh3 (the Rust ``ammonia`` sanitizer) then keeps
only the tags and attributes below, links only to http, https and mailto, each
with ``rel="noopener noreferrer nofollow"``. A line break typed is a line break
shown, as in the plain text the customer's e-mail carries alongside.
"""

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "del", "code", "pre", "blockquote", "ul", "ol", "li", "a", "hr",
    "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = {"http", "https", "mailto"}

_renderer = MarkdownIt("commonmark", {"breaks": True, "html": False}).enable(["table", "strikethrough"])


def render_markdown(text: str) -> str:
    """Sanitized HTML of ``text`` (Markdown); callers may mark it safe."""
    return nh3.clean(
        _renderer.render(text or ""),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )
