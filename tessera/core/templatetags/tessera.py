from django import template
from django.templatetags.static import static
from django.utils.html import format_html

from tessera.core.idempotency import FIELD, new_token

register = template.Library()


@register.filter
def getfield(form, name):
    """The bound field ``name`` of ``form``: for forms whose fields depend on the data."""
    return form[name]


@register.simple_tag
def icon(name: str, label: str = "") -> str:
    """A Lucide icon from the vendored sprite (tools/build_icons.py lists them).

    Decorative by default (hidden from screen readers); with ``label`` the icon
    is the only content of its control and is announced as that text.
    """
    href = f"{static('tessera/icons/sprite.svg')}#{name}"
    if label:
        return format_html(
            '<svg class="icon" role="img" aria-label="{}" focusable="false"><use href="{}"></use></svg>', label, href
        )
    return format_html('<svg class="icon" aria-hidden="true" focusable="false"><use href="{}"></use></svg>', href)


@register.simple_tag
def form_token() -> str:
    """A hidden one-time token: the form's service runs once however often it is sent (``core.idempotency``)."""
    return format_html('<input type="hidden" name="{}" value="{}">', FIELD, new_token())
