from django.contrib import admin, messages
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _

from .models import LinkRequest, Membership, Organization


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "customer_code", "postal_code", "city", "country", "is_active"]
    list_filter = ["is_active", "country", "language"]
    search_fields = ["name", "customer_code", "city", "postal_code"]
    inlines = [MembershipInline]
    actions = ["invite_contact"]

    @admin.action(description=_("Invite a contact"))
    def invite_contact(self, request, queryset):
        """Open the desk's invitation form (accounts' contact_invite) for the one organization selected."""
        if queryset.count() != 1:
            self.message_user(request, _("Select exactly one organization to invite a contact to."), messages.WARNING)
            return None
        return redirect("desk:organization_invite", pk=queryset.get().pk)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organization", "role", "is_active"]
    list_filter = ["role", "is_active"]
    search_fields = ["user__email", "organization__name", "organization__customer_code"]
    autocomplete_fields = ["user", "organization"]
    list_select_related = ["user", "organization"]


@admin.register(LinkRequest)
class LinkRequestAdmin(admin.ModelAdmin):
    list_display = ["user", "organization", "state", "created_at", "decided_by"]
    list_filter = ["state"]
    search_fields = ["user__email", "organization__name", "customer_code"]
    list_select_related = ["user", "organization", "decided_by"]
    readonly_fields = ["decided_by", "decided_at"]
