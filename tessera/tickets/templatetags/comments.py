"""``{{ comment|comment_html }}``: a comment's text as HTML; Markdown for agents' desk texts, plain text otherwise."""

from django import template
from django.template.defaultfilters import linebreaksbr
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from tessera.core.markdown import render_markdown

register = template.Library()


@register.filter
def comment_html(comment) -> SafeString:
    if getattr(comment, "is_markdown", False):
        return mark_safe(render_markdown(comment.body))  # noqa: S308 (sanitized by nh3 in render_markdown)
    return linebreaksbr(escape(comment.body))
