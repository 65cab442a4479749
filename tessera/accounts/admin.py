from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from tessera.organizations.models import Membership

from .forms import UserAdminChangeForm, UserAdminCreationForm
from .models import AccountToken, LegalDocument, User


class MembershipInline(admin.StackedInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["organization"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = UserAdminChangeForm
    add_form = UserAdminCreationForm
    ordering = ["email"]
    list_display = ["email", "username", "first_name", "last_name", "is_staff", "is_active"]
    list_filter = ["is_staff", "is_superuser", "is_active", "language"]
    search_fields = ["email", "username", "first_name", "last_name"]
    readonly_fields = ["last_login", "date_joined", "email_verified_at", "terms_accepted_at"]
    inlines = [MembershipInline]
    fieldsets = (
        (None, {"fields": ("email", "username", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "language", "security_question")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined", "email_verified_at", "terms_accepted_at")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "username", "password1", "password2")}),
    )


@admin.register(LegalDocument)
class LegalDocumentAdmin(admin.ModelAdmin):
    """The vendor's terms of use and privacy policy, shown at registration; one per language."""

    list_display = ["kind", "language", "title", "updated_at"]
    list_filter = ["kind", "language"]


@admin.register(AccountToken)
class AccountTokenAdmin(admin.ModelAdmin):
    """Which e-mailed links were sent, used or have expired; the links themselves are never stored."""

    list_display = ["user", "purpose", "created_at", "expires_at", "used_at", "revoked_at", "failed_attempts"]
    list_filter = ["purpose"]
    search_fields = ["user__email"]
    list_select_related = ["user"]
    exclude = ["token_hash"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
