from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from tessera.core.errors import ApplicationError

from . import services
from .models import OutgoingEmail


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(admin.ModelAdmin):
    """The stored messages; they are written by the code that sends them, never here."""

    list_display = ("created_at", "to", "subject", "status", "attempts", "next_attempt_at", "sent_at")
    list_filter = ("status", "template", "language")
    search_fields = ("to", "subject", "idempotency_key")
    date_hierarchy = "created_at"
    ordering = ("-created_at", "-id")
    actions = ["retry"]
    readonly_fields = [field.name for field in OutgoingEmail._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Send the selected messages again"), permissions=["view"])
    def retry(self, request, queryset):
        retried = 0
        for email in queryset.exclude(status=OutgoingEmail.Status.SENT):
            try:
                services.outgoing_email_retry(email=email, user=request.user)
            except (ApplicationError, PermissionDenied):
                continue
            retried += 1
        self.message_user(
            request,
            ngettext("%(count)d message queued again.", "%(count)d messages queued again.", retried)
            % {"count": retried},
            messages.SUCCESS,
        )
