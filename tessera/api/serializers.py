"""What the API reads and writes; the writes are only parsed here, the services decide (tickets.services)."""

import json

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.utils import html

from tessera.organizations.models import Membership, Organization, Role
from tessera.tickets.models import Attachment, Category, CategoryField, Comment, Priority, ServiceTeam, Ticket
from tessera.tickets.workflow import Action
from tessera.tokens.models import AccessToken, TokenScope


def person_name(user) -> str | None:
    if user is None:
        return None
    return user.get_full_name() or user.email


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.SerializerMethodField()

    def get_name(self, user) -> str:
        return person_name(user) or ""


class CategoryPathSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class TicketListItemSerializer(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display")
    created_by = PersonSerializer()
    category_path = serializers.SerializerMethodField()

    class Meta:
        model = Ticket
        fields = ["number", "title", "status", "status_label", "priority", "category_path", "created_by",
                  "created_at", "updated_at"]

    @extend_schema_field(CategoryPathSerializer(many=True))
    def get_category_path(self, ticket):
        return [{"id": node.pk, "name": node.name} for node in ticket.category.path()]


class TicketSerializer(TicketListItemSerializer):
    organization = serializers.SerializerMethodField()
    service_team = serializers.SerializerMethodField()
    assignee = PersonSerializer(allow_null=True)
    cc = serializers.SerializerMethodField()
    follow_up_of = serializers.SlugRelatedField(slug_field="number", read_only=True, allow_null=True)
    merged_into = serializers.SlugRelatedField(slug_field="number", read_only=True, allow_null=True)

    class Meta(TicketListItemSerializer.Meta):
        fields = [*TicketListItemSerializer.Meta.fields, "description", "external_reference", "organization",
                  "service_team", "assignee", "cc", "field_values", "source", "closed_at", "follow_up_of",
                  "merged_into"]

    @extend_schema_field({"type": "object", "properties": {"customer_code": {"type": "string"},
                                                           "name": {"type": "string"}}})
    def get_organization(self, ticket):
        return {"customer_code": ticket.organization.customer_code, "name": ticket.organization.name}

    @extend_schema_field(OpenApiTypes.STR)
    def get_service_team(self, ticket) -> str | None:
        return ticket.service_team.name if ticket.service_team else None

    @extend_schema_field(serializers.ListField(child=serializers.EmailField()))
    def get_cc(self, ticket):
        return [entry.email for entry in ticket.cc_entries.all()]


class JSONObjectField(serializers.DictField):
    """An object; in a multipart request (with files) the same object as a JSON string."""

    def get_value(self, dictionary):
        if html.is_html_input(dictionary) and self.field_name in dictionary:
            return dictionary.get(self.field_name)
        return super().get_value(dictionary)

    def to_internal_value(self, data):
        if isinstance(data, str):
            try:
                data = json.loads(data)
            except ValueError:
                raise serializers.ValidationError(_("Send an object of values by key (JSON)."))
        return super().to_internal_value(data)


class TicketCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    category = serializers.IntegerField(help_text=_("The id of the deepest category chosen (see /categories/)."))
    priority = serializers.ChoiceField(choices=Priority.choices, default=Priority.MEDIUM)
    external_reference = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)
    field_values = JSONObjectField(required=False, default=dict,
                                         help_text=_("The category's extra fields, by key."))
    cc = serializers.ListField(child=serializers.EmailField(), required=False, default=list,
                               help_text=_("Colleagues' or other e-mail addresses to keep informed."))
    attachments = serializers.ListField(child=serializers.FileField(), required=False, default=list)
    organization = serializers.CharField(required=False, max_length=32,
                                         help_text=_("Support staff only: the customer code of the organization."))

    def validate_category(self, value: int) -> Category:
        category = Category.objects.filter(pk=value, is_active=True).first()
        if category is None:
            raise serializers.ValidationError(_("Choose an active category."))
        return category


class AttachmentSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="original_name")
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = ["id", "name", "size", "content_type", "created_at", "download_url"]

    def get_download_url(self, attachment) -> str:
        return reverse("api:attachment_download", args=[attachment.ticket.number, attachment.pk])


class CommentSerializer(serializers.ModelSerializer):
    author = PersonSerializer(allow_null=True)
    attachments = AttachmentSerializer(many=True)

    class Meta:
        model = Comment
        fields = ["id", "body", "author", "is_internal", "source", "created_at", "attachments"]


class CommentCreateSerializer(serializers.Serializer):
    body = serializers.CharField(required=False, allow_blank=True, default="")
    attachments = serializers.ListField(child=serializers.FileField(), required=False, default=list)


class AttachmentCreateSerializer(serializers.Serializer):
    file = serializers.FileField()


class MessageSerializer(serializers.Serializer):
    message = serializers.CharField(required=False, allow_blank=True, default="")


class RequiredMessageSerializer(serializers.Serializer):
    message = serializers.CharField()


class CategoryFieldSerializer(serializers.ModelSerializer):
    choices = serializers.SerializerMethodField()

    class Meta:
        model = CategoryField
        fields = ["key", "label", "kind", "required", "choices", "help_text"]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_choices(self, field):
        return list(field.choice_list)


class CategorySerializer(serializers.ModelSerializer):
    fields = CategoryFieldSerializer(many=True, source="fields_list")

    class Meta:
        model = Category
        fields = ["id", "name", "parent", "depth", "position", "fields"]


# --- agents -------------------------------------------------------------------------------------------------------

class QueueSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()
    more = serializers.BooleanField()


class AssignSerializer(serializers.Serializer):
    assignee = serializers.IntegerField(allow_null=True, help_text=_("An agent's id; null unassigns."))


class StatusActionSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=[a for a in Action.choices if a[0] not in (
        Action.SUBMITTED, Action.CUSTOMER_REPLIED, Action.AUTO_COMPLETE)])
    message = serializers.CharField(required=False, allow_blank=True, default="")


class NoteSerializer(serializers.Serializer):
    body = serializers.CharField()


class MergeSerializer(serializers.Serializer):
    target = serializers.CharField(max_length=10, help_text=_("The number of the ticket to merge into."))


# --- vendor administrators ----------------------------------------------------------------------------------------

class OrganizationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = ["customer_code", "name", "postal_code", "city", "country", "language", "is_active", "created_at"]
        read_only_fields = ["customer_code", "is_active", "created_at"]


class OrganizationWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False)
    postal_code = serializers.CharField(max_length=16, required=False)
    city = serializers.CharField(max_length=120, required=False, allow_blank=True)
    country = serializers.CharField(max_length=2, required=False, allow_blank=True)
    language = serializers.ChoiceField(choices=settings.LANGUAGES, required=False)


class OrganizationCreateSerializer(OrganizationWriteSerializer):
    customer_code = serializers.CharField(max_length=32)


class MembershipSerializer(serializers.ModelSerializer):
    user = PersonSerializer()
    email = serializers.EmailField(source="user.email")
    organization = serializers.CharField(source="organization.customer_code")

    class Meta:
        model = Membership
        fields = ["id", "user", "email", "organization", "role", "is_active"]


class InviteSerializer(serializers.Serializer):
    email = serializers.EmailField()
    first_name = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")
    last_name = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")


class RoleSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=[(r.value, r.label) for r in (Role.BASIC, Role.MANAGER, Role.ADMIN)])


class ServiceTeamSerializer(serializers.ModelSerializer):
    class Meta:
        model = ServiceTeam
        fields = ["id", "name", "email", "is_active"]


class ServiceTeamUpdateSerializer(serializers.Serializer):
    """What a PATCH of a team may change: any of these, the others stay."""

    name = serializers.CharField(max_length=120, required=False)
    email = serializers.EmailField(required=False, allow_blank=True)
    is_active = serializers.BooleanField(required=False)


# --- invitations and tokens ---------------------------------------------------------------------------------------

class InvitationAcceptSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=200, help_text=_("The last part of the link in the invitation e-mail."))
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, style={"input_type": "password"})
    security_question = serializers.CharField(max_length=64)
    security_answer = serializers.CharField(max_length=200)
    token_name = serializers.CharField(
        max_length=100, required=False, allow_blank=True, default="",
        help_text=_("If given, a read and write personal access token of this name is made and returned once."),
    )


class InvitationAcceptedSerializer(serializers.Serializer):
    username = serializers.CharField()
    access_token = serializers.CharField(allow_null=True)


class IssuedTokenSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    scope = serializers.ChoiceField(choices=TokenScope.choices)
    expires_at = serializers.DateTimeField(allow_null=True)
    token = serializers.CharField()


class AccessTokenSerializer(serializers.ModelSerializer):
    """A token as its owner sees it: never the token itself, only its first characters."""

    class Meta:
        model = AccessToken
        fields = ["id", "name", "kind", "scope", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at"]


class TokenRotateSerializer(serializers.Serializer):
    expires_at = serializers.DateTimeField(
        required=False, allow_null=True, default=None,
        help_text=_("When the new token expires; left out, it lives as long as the old one was meant to."),
    )


class CategoryUpdateSerializer(serializers.Serializer):
    """What a PATCH of a category may change: any of these, the others stay. Its place in the tree stays."""

    name = serializers.CharField(max_length=120, required=False)
    service_team = serializers.IntegerField(
        required=False, allow_null=True, help_text=_("A service team's id; null routes it as its parent does."),
    )
    position = serializers.IntegerField(required=False, min_value=0, max_value=2_000_000_000)
    is_active = serializers.BooleanField(required=False)


class CategoryCreateSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(max_length=120)
    parent = serializers.IntegerField(required=False, allow_null=True, default=None)
    service_team = serializers.IntegerField(required=False, allow_null=True, default=None)
    position = serializers.IntegerField(required=False, default=0, min_value=0, max_value=2_000_000_000)
    is_active = serializers.BooleanField(read_only=True)
