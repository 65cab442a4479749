"""The administration's site: Django's, answering any search or selection without a 500.

Every ModelAdmin registered, Tessera's and those of the libraries (auth, axes), gets SafeQueryMixin.
Without it, input a browser never sends but anyone can is a 500: in the search box (``?q=``) and a
picker's autocomplete (``?term=``) PostgreSQL refuses NUL in text, SQLite a LIKE pattern over 50,000
bytes and a query of many words; a selected id that is not a number, or out of range, fails the query
of every list action.
"""

from typing import TYPE_CHECKING, Any

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig
from django.core.exceptions import ValidationError
from django.utils.translation import gettext

MAX_SEARCH_LENGTH = 200
MAX_SEARCH_WORDS = 10


if TYPE_CHECKING:
    # What the mixin is mixed into (AdminSite.register below), for the type checker only.
    _ModelAdmin = admin.ModelAdmin[Any]
else:
    _ModelAdmin = object


class SafeQueryMixin(_ModelAdmin):
    def get_search_results(self, request, queryset, search_term):
        search_term = search_term.replace("\x00", "")[:MAX_SEARCH_LENGTH]
        words = search_term.split()
        if len(words) > MAX_SEARCH_WORDS:
            search_term = " ".join(words[:MAX_SEARCH_WORDS])
        return super().get_search_results(request, queryset, search_term)

    # django-stubs 6 adds Django 6.0's action_location argument; Django 5.2 has none.
    def response_action(self, request, queryset):  # type: ignore[override]
        pk = self.model._meta.pk
        try:
            for value in request.POST.getlist(helpers.ACTION_CHECKBOX_NAME):
                pk.clean(value, None)
        except ValidationError:
            # Django's own words (and translations) for an action without a selection.
            self.message_user(request, gettext("Items must be selected in order to perform actions on them. "
                                               "No items have been changed."), messages.WARNING)
            return None
        return super().response_action(request, queryset)


class AdminSite(admin.AdminSite):
    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, SafeQueryMixin):
            admin_class = type(admin_class.__name__, (SafeQueryMixin, admin_class),
                               {"__module__": admin_class.__module__, "__doc__": admin_class.__doc__})
        super().register(model_or_iterable, admin_class, **options)


class AdminConfig(DjangoAdminConfig):
    """In INSTALLED_APPS instead of django.contrib.admin."""

    default_site = "tessera.core.admin.AdminSite"
