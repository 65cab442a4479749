from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import CannedResponse, Category, CategoryField, Comment, ServiceTeam, Ticket, TicketEvent


@admin.register(ServiceTeam)
class ServiceTeamAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "auto_assign", "is_active"]
    list_filter = ["is_active", "auto_assign"]
    search_fields = ["name"]
    filter_horizontal = ["members"]
    # Round robin moves it; editing it by hand would only confuse the order.
    readonly_fields = ["last_assigned_agent"]


class CategoryFieldInline(admin.TabularInline):
    model = CategoryField
    extra = 0


class ChildCategoryInline(admin.TabularInline):
    model = Category
    fk_name = "parent"
    fields = ["name", "service_team", "position", "is_active"]
    extra = 0
    show_change_link = True
    verbose_name = _("sub-category")
    verbose_name_plural = _("sub-categories")


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["__str__", "depth", "service_team", "position", "is_active"]
    list_filter = ["depth", "is_active", "service_team"]
    search_fields = ["name"]
    list_select_related = ["parent__parent__parent", "service_team"]
    autocomplete_fields = ["parent"]
    inlines = [CategoryFieldInline, ChildCategoryInline]


class CommentInline(admin.StackedInline):
    model = Comment
    extra = 0
    fields = readonly_fields = ("author", "body", "is_internal", "source", "created_at")
    can_delete = False


class EventInline(admin.TabularInline):
    model = TicketEvent
    extra = 0
    fields = readonly_fields = ("created_at", "actor", "type", "data")
    can_delete = False


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    """Read-only: tickets change through the desk so that every change leaves an event."""

    list_display = ["number", "title", "organization", "status", "priority", "service_team", "updated_at"]
    list_filter = ["status", "priority", "service_team", "source"]
    search_fields = ["=number", "title"]
    list_select_related = ["organization", "service_team"]
    show_full_result_count = False
    inlines = [CommentInline, EventInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CannedResponse)
class CannedResponseAdmin(admin.ModelAdmin):
    list_display = ["title", "team", "position", "is_active", "updated_at"]
    list_filter = ["is_active", "team"]
    search_fields = ["title", "body"]
    list_select_related = ["team"]
    fields = ["title", "team", "body", "position", "is_active"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.base_fields["body"].help_text = _(
            "These placeholders are filled in: {customer_name}, {ticket_number}, {ticket_title}."
        )
        return form
