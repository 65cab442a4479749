from django import template
from django.conf import settings
from django.urls import reverse
from django.utils.http import urlencode

from ..providers import CUSTOMERS, providers

register = template.Library()


@register.simple_tag
def local_login_customers() -> bool:
    """False when customers log in only through a provider: then they do not register here either."""
    return settings.TESSERA_LOCAL_LOGIN_CUSTOMERS


@register.inclusion_tag("sso/login_buttons.html")
def sso_login_buttons(next_url: str = "") -> dict:
    """The "Log in with …" buttons of the login page, customers' providers first."""
    query = f"?{urlencode({'next': next_url})}" if next_url else ""
    buttons = [
        {"label": provider.label, "logo": provider.logo, "url": reverse("sso:login", args=[provider.name]) + query,
         "name": provider.name}
        for provider in sorted(providers(), key=lambda provider: provider.audience != CUSTOMERS)
    ]
    return {"buttons": buttons, "local_login_customers": settings.TESSERA_LOCAL_LOGIN_CUSTOMERS}
