"""Vendor administrators edit calendars, policies, organizations' tiers and team leads in the admin."""

from django import forms
from django.contrib import admin

from .models import Calendar, Holiday, OrganizationPolicy, Policy, Target, TeamLead, pausable_status_choices


class HolidayInline(admin.TabularInline):
    model = Holiday
    extra = 1


@admin.register(Calendar)
class CalendarAdmin(admin.ModelAdmin):
    list_display = ("name", "time_zone", "day_starts", "day_ends")
    inlines = [HolidayInline]


class PolicyForm(forms.ModelForm):
    paused_statuses = forms.MultipleChoiceField(
        choices=pausable_status_choices, required=False, widget=forms.CheckboxSelectMultiple,
        label=Policy._meta.get_field("paused_statuses").verbose_name,
        help_text=Policy._meta.get_field("paused_statuses").help_text,
    )

    class Meta:
        model = Policy
        fields = ("name", "calendar", "is_default", "paused_statuses")


class TargetInline(admin.TabularInline):
    model = Target
    extra = 4
    max_num = 4


class OrganizationPolicyInline(admin.TabularInline):
    model = OrganizationPolicy
    extra = 1
    raw_id_fields = ("organization",)


@admin.register(Policy)
class PolicyAdmin(admin.ModelAdmin):
    form = PolicyForm
    list_display = ("name", "calendar", "is_default")
    inlines = [TargetInline, OrganizationPolicyInline]


@admin.register(TeamLead)
class TeamLeadAdmin(admin.ModelAdmin):
    list_display = ("team", "lead")
    raw_id_fields = ("lead",)
