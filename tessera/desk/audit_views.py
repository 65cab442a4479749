"""The audit log for the vendor's administrators: who did what, from where and when."""

from django import forms
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from tessera.audit import selectors
from tessera.audit.models import AuditAction
from tessera.organizations.models import Organization

from .decorators import staff_required

PAGE_SIZE = 50


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(label=_("Action"), required=False,
                               choices=[("", _("Every action")), *AuditAction.choices])
    actor = forms.CharField(label=_("E-mail of the user"), required=False, max_length=254,
                            help_text=_("Also finds failed logins with this name."))
    ip_address = forms.GenericIPAddressField(label=_("IP address"), required=False)
    organization = forms.ModelChoiceField(
        label=_("Organization"), required=False, empty_label=_("Every organization"),
        queryset=Organization.objects.only("pk", "name", "customer_code").order_by("name"),
    )
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("The end of the period must not be before its start."))
        return data


@staff_required
def audit_log(request):
    """Every audited action, newest first; only vendor administrators (superusers) find this page."""
    if not request.user.is_superuser:
        raise Http404
    form = AuditFilterForm(request.GET or None)
    filters = {}
    if form.is_bound:
        form.is_valid()  # a filter typed wrong is shown with its error; the others still apply
        filters = {name: value for name, value in form.cleaned_data.items() if value not in (None, "")}
    page = Paginator(selectors.audit_entries(**filters), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode()}
    return render(request, "desk/audit_log.html", context)
