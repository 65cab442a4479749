"""Reading the brand: from the cache, which saving the row clears."""

from django.core.cache import cache
from django.db import DatabaseError

from .models import CACHE_KEY, CACHE_SECONDS, Branding


def current_branding() -> Branding:
    """The brand as saved, or the defaults when no one has saved one; from the cache when it holds it."""
    branding = cache.get(CACHE_KEY)
    if branding is None:
        try:
            branding = Branding.objects.filter(pk=Branding.SINGLETON_PK).first() or Branding()
        except DatabaseError:
            # No table before `migrate` (a fresh deploy's first checks): the product's own look, not cached.
            return Branding()
        cache.set(CACHE_KEY, branding, CACHE_SECONDS)
    return branding
