from django.utils.functional import SimpleLazyObject

from .selectors import current_branding


def branding(request):
    """``branding`` in every template: read (from the cache) only by pages that show it."""
    return {"branding": SimpleLazyObject(current_branding)}
