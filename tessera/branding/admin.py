"""The brand in the administration: one row; the list opens it, nothing more can be added or deleted."""

from django import forms
from django.contrib import admin
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tessera.core.operations import operation

from .models import Branding


class BrandingForm(forms.ModelForm):
    class Meta:
        model = Branding
        fields = [
            "product_name",
            "tagline",
            "logo",
            "favicon",
            "primary_color",
            "support_phone",
            "support_email",
            "support_hours",
        ]
        widgets = {"primary_color": forms.TextInput(attrs={"placeholder": "#0b4f8a", "size": 8})}


@admin.register(Branding)
class BrandingAdmin(admin.ModelAdmin):
    form = BrandingForm
    fieldsets = (
        (None, {"fields": ("product_name", "tagline", "logo", "favicon", "primary_color")}),
        (_("Support"), {"fields": ("support_phone", "support_email", "support_hours")}),
    )

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method != "POST":
            return super().changeform_view(request, object_id, form_url, extra_context)
        # The admin's transaction as one unit of work: a logo stored by a change whose commit then fails is
        # deleted again (Branding.save), as an attachment's file is.
        with operation():
            return super().changeform_view(request, object_id, form_url, extra_context)

    def has_add_permission(self, request) -> bool:
        return super().has_add_permission(request) and not Branding.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def changelist_view(self, request, extra_context=None):
        branding = Branding.objects.first()
        if branding is None:
            return HttpResponseRedirect(reverse("admin:branding_branding_add"))
        return HttpResponseRedirect(reverse("admin:branding_branding_change", args=[branding.pk]))
