"""Tickets as customers (and agents) see them: exactly the portal's visibility, through ``ticket_policy``."""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from tessera.organizations.models import Organization
from tessera.organizations.selectors import active_member_users
from tessera.tickets import services
from tessera.tickets.downloads import attachment_response
from tessera.tickets.models import Attachment, Category, CategoryField, Comment, Source, Ticket
from tessera.tickets.policies import ticket_policy
from tessera.tickets.selectors import ticket_list
from tessera.tickets.selectors.listing import TicketListFilter, clean_statuses
from tessera.tickets.selectors.text_search import clean_query
from tessera.tickets.workflow import Status

from ..pagination import TICKET_SORTS, TicketCursorPagination
from ..serializers import (
    AttachmentCreateSerializer,
    AttachmentSerializer,
    CategorySerializer,
    CommentCreateSerializer,
    CommentSerializer,
    MessageSerializer,
    RequiredMessageSerializer,
    TicketCreateSerializer,
    TicketListItemSerializer,
    TicketSerializer,
)

DETAIL_RELATED = ("created_by", "assignee", "organization", "service_team", "follow_up_of", "merged_into",
                  "category__parent__parent__parent")


def visible_ticket(request, number: str) -> Ticket:
    """The ticket ``number`` if the caller may see it; a 404 otherwise (never a 403 that confirms it exists)."""
    return ticket_policy.get_visible_or_404(
        request.user, number=number,
        queryset=Ticket.objects.select_related(*DETAIL_RELATED).prefetch_related("cc_entries"),
    )


def _detail(ticket: Ticket, *, code: int = 200) -> Response:
    ticket = Ticket.objects.select_related(*DETAIL_RELATED).prefetch_related("cc_entries").get(pk=ticket.pk)
    return Response(TicketSerializer(ticket).data, status=code)


def _files(request, field: str = "attachments") -> list:
    """Uploaded files of a multipart request (none from JSON)."""
    return request.FILES.getlist(field) if hasattr(request, "FILES") else []


class TicketListView(generics.GenericAPIView):
    serializer_class = TicketListItemSerializer
    pagination_class = TicketCursorPagination
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_serializer_class(self):
        return TicketCreateSerializer if self.request.method == "POST" else TicketListItemSerializer

    @extend_schema(
        summary="List the tickets the caller may see",
        parameters=[
            OpenApiParameter("status", OpenApiTypes.STR, many=True, enum=Status.values,
                             description="Only tickets in these statuses (repeat the parameter)."),
            OpenApiParameter("q", OpenApiTypes.STR, description="Search title, description and number."),
            OpenApiParameter("sort", OpenApiTypes.STR, enum=list(TICKET_SORTS), description="Order of the list."),
            OpenApiParameter("page_size", OpenApiTypes.INT, description="Rows per page (at most 100)."),
        ],
        responses=TicketListItemSerializer(many=True),
    )
    def get(self, request):
        ticket_filter = TicketListFilter(
            statuses=clean_statuses(request.query_params.getlist("status")),
            query=clean_query(request.query_params.get("q", "")),
        )
        tickets = ticket_list(request.user, ticket_filter=ticket_filter).select_related(
            "created_by", "category__parent__parent__parent"
        ).defer("description", "field_values")
        page = self.paginate_queryset(tickets)
        return self.get_paginated_response(TicketListItemSerializer(page, many=True).data)

    @extend_schema(
        summary="Open a ticket",
        request={"application/json": TicketCreateSerializer, "multipart/form-data": TicketCreateSerializer},
        responses={201: TicketSerializer},
    )
    def post(self, request):
        data = TicketCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        organization = None
        if request.user.is_staff:
            code = values.get("organization") or ""
            organization = Organization.objects.filter(customer_code=code).first()
            if organization is None:
                raise ValidationError({"organization": [_("Give the customer code of an existing organization.")]})
        elif not ticket_policy.can_create(request.user):
            raise PermissionDenied()
        home = organization or request.user.membership.organization
        cc = [email.lower() for email in values["cc"]]
        colleagues = list(active_member_users(organization_id=home.pk).filter(email__in=cc))
        known = {user.email.lower() for user in colleagues}
        ticket = services.ticket_create(
            author=request.user, organization=organization, title=values["title"],
            description=values["description"], category=values["category"], priority=values["priority"],
            external_reference=values["external_reference"], field_values=values["field_values"],
            cc_users=colleagues, cc_emails=[email for email in cc if email not in known],
            attachments=_files(request) or values["attachments"], source=Source.API,
        )
        return _detail(ticket, code=status.HTTP_201_CREATED)


class TicketDetailView(APIView):
    @extend_schema(summary="A ticket", responses=TicketSerializer)
    def get(self, request, number: str):
        return Response(TicketSerializer(visible_ticket(request, number)).data)


def _comments_for(request, ticket: Ticket):
    comments = Comment.objects.filter(ticket=ticket)
    if not request.user.is_staff:
        comments = comments.filter(is_internal=False)
    return comments.select_related("author", "ticket").prefetch_related(
        Prefetch("attachments", queryset=Attachment.objects.select_related("ticket").order_by("created_at", "pk"))
    ).order_by("created_at", "pk")


class CommentListView(APIView):
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(summary="The ticket's comments (internal notes for support staff only)",
                   responses=CommentSerializer(many=True))
    def get(self, request, number: str):
        ticket = visible_ticket(request, number)
        return Response(CommentSerializer(_comments_for(request, ticket), many=True).data)

    @extend_schema(
        summary="Add a comment",
        request={"application/json": CommentCreateSerializer, "multipart/form-data": CommentCreateSerializer},
        responses={201: CommentSerializer},
    )
    def post(self, request, number: str):
        ticket = visible_ticket(request, number)
        data = CommentCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        comment = services.comment_add(
            ticket=ticket, author=request.user, body=data.validated_data["body"],
            attachments=_files(request) or data.validated_data["attachments"], source=Source.API,
        )
        return Response(CommentSerializer(_comments_for(request, ticket).get(pk=comment.pk)).data, status=201)


def _attachments_for(request, ticket: Ticket):
    attachments = Attachment.objects.filter(ticket=ticket).select_related("ticket")
    if not request.user.is_staff:
        attachments = attachments.exclude(comment__is_internal=True)
    return attachments.order_by("created_at", "pk")


class AttachmentListView(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(summary="The ticket's attachments", responses=AttachmentSerializer(many=True))
    def get(self, request, number: str):
        ticket = visible_ticket(request, number)
        return Response(AttachmentSerializer(_attachments_for(request, ticket), many=True).data)

    @extend_schema(summary="Attach a file", request={"multipart/form-data": AttachmentCreateSerializer},
                   responses={201: AttachmentSerializer})
    def post(self, request, number: str):
        ticket = visible_ticket(request, number)
        data = AttachmentCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if not ticket_policy.can_comment(request.user, ticket):
            raise PermissionDenied(_("This ticket is closed; open a follow-up ticket instead."))
        attachment = services.attachment_add(ticket=ticket, uploaded_by=request.user,
                                             upload=data.validated_data["file"])
        return Response(AttachmentSerializer(attachment).data, status=201)


class AttachmentDownloadView(APIView):
    @extend_schema(summary="Download an attachment",
                   responses={(200, "*/*"): OpenApiResponse(OpenApiTypes.BINARY,
                                                               description="The file, as a download.")})
    def get(self, request, number: str, pk: int):
        ticket = visible_ticket(request, number)
        attachment = get_object_or_404(_attachments_for(request, ticket), pk=pk)
        return attachment_response(ticket=ticket, attachment=attachment)


class _TransitionView(APIView):
    serializer_class = MessageSerializer

    def transition(self, request, ticket: Ticket, message: str) -> None:
        raise NotImplementedError

    def post(self, request, number: str):
        ticket = visible_ticket(request, number)
        data = self.serializer_class(data=request.data)
        data.is_valid(raise_exception=True)
        self.transition(request, ticket, data.validated_data.get("message", ""))
        return _detail(ticket)


@extend_schema(summary="Close the ticket (\"Canceled by customer\")", request=MessageSerializer,
               responses=TicketSerializer)
class TicketCloseView(_TransitionView):
    def transition(self, request, ticket, message):
        if not ticket_policy.can_close(request.user, ticket):
            raise PermissionDenied(_("This ticket cannot be closed."))
        services.ticket_close(ticket=ticket, user=request.user, message=message)


@extend_schema(summary="Accept the solution provided", request=None, responses=TicketSerializer)
class TicketAcceptView(_TransitionView):
    def transition(self, request, ticket, message):
        services.ticket_accept_solution(ticket=ticket, user=request.user)


@extend_schema(summary="Reject the solution provided", request=RequiredMessageSerializer, responses=TicketSerializer)
class TicketRejectView(_TransitionView):
    serializer_class = RequiredMessageSerializer

    def transition(self, request, ticket, message):
        services.ticket_reject_solution(ticket=ticket, user=request.user, message=message)


class CategoryListView(APIView):
    @extend_schema(summary="The active category tree (parent ids) with each node's own extra fields",
                   responses=CategorySerializer(many=True))
    def get(self, request):
        nodes = list(Category.objects.filter(is_active=True).order_by("depth", "position", "name", "pk"))
        fields: dict[int, list[CategoryField]] = {}
        for field in CategoryField.objects.filter(category__in=nodes).order_by("position", "pk"):
            fields.setdefault(field.category_id, []).append(field)
        for node in nodes:
            node.fields_list = fields.get(node.pk, [])  # type: ignore[attr-defined]
        return Response(CategorySerializer(nodes, many=True).data)
