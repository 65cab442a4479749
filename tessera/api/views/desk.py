"""Agents' endpoints: the desk's queues, assignment, status actions, internal notes and merging."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from tessera.accounts.models import User
from tessera.tickets import services
from tessera.tickets.models import Source
from tessera.tickets.policies import ticket_policy
from tessera.tickets.selectors import queue_counts, queue_tickets
from tessera.tickets.selectors.queues import QUEUES, QueueFilter, queue_or_404

from ..pagination import TICKET_SORTS, TicketCursorPagination
from ..permissions import IsAgent, TokenScopePermission
from ..serializers import (
    AssignSerializer,
    CommentSerializer,
    MergeSerializer,
    NoteSerializer,
    QueueSerializer,
    StatusActionSerializer,
    TicketListItemSerializer,
    TicketSerializer,
)
from .tickets import _detail, visible_ticket

AGENT = [IsAuthenticated, TokenScopePermission, IsAgent]


class QueueListView(APIView):
    permission_classes = AGENT

    @extend_schema(summary="The desk's queues with how many tickets each holds", responses=QueueSerializer(many=True))
    def get(self, request):
        counts = queue_counts(request.user)
        return Response(QueueSerializer([
            {"key": queue.key, "label": str(queue.label), "count": counts[queue.key].value,
             "more": counts[queue.key].more}
            for queue in QUEUES
        ], many=True).data)


class QueueTicketsView(generics.GenericAPIView):
    permission_classes = AGENT
    serializer_class = TicketListItemSerializer
    pagination_class = TicketCursorPagination

    @extend_schema(
        summary="The tickets of a queue",
        parameters=[OpenApiParameter("sort", str, enum=list(TICKET_SORTS)),
                    OpenApiParameter("page_size", int, description="Rows per page (at most 100).")],
        responses=TicketListItemSerializer(many=True),
    )
    def get(self, request, key: str):
        tickets = queue_tickets(request.user, queue=queue_or_404(key), queue_filter=QueueFilter()).select_related(
            "created_by", "category__parent__parent__parent"
        ).defer("description", "field_values")
        page = self.paginate_queryset(tickets)
        return self.get_paginated_response(TicketListItemSerializer(page, many=True).data)


class AssignView(APIView):
    permission_classes = AGENT

    @extend_schema(summary="Assign the ticket to an agent, or unassign it", request=AssignSerializer,
                   responses=TicketSerializer)
    def post(self, request, number: str):
        ticket = visible_ticket(request, number)
        data = AssignSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        assignee_id = data.validated_data["assignee"]
        if assignee_id is None:
            services.ticket_unassign(ticket=ticket, user=request.user)
        else:
            assignee = User.objects.filter(pk=assignee_id, is_staff=True, is_active=True).first()
            if assignee is None:
                raise ValidationError({"assignee": [_("Tickets can only be assigned to active support staff.")]})
            services.ticket_assign(ticket=ticket, user=request.user, assignee=assignee)
        return _detail(ticket)


class StatusActionView(APIView):
    permission_classes = AGENT

    @extend_schema(summary="Apply a status action of the workflow", request=StatusActionSerializer,
                   responses=TicketSerializer)
    def post(self, request, number: str):
        ticket = visible_ticket(request, number)
        data = StatusActionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.ticket_change_status(ticket=ticket, user=request.user, action=data.validated_data["action"],
                                      message=data.validated_data["message"])
        return _detail(ticket)


class NoteView(APIView):
    permission_classes = AGENT

    @extend_schema(summary="Add an internal note (never shown to the customer)", request=NoteSerializer,
                   responses={201: CommentSerializer})
    def post(self, request, number: str):
        ticket = visible_ticket(request, number)
        data = NoteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        note = services.comment_add(ticket=ticket, author=request.user, body=data.validated_data["body"],
                                    is_internal=True, source=Source.API)
        return Response(CommentSerializer(note).data, status=201)


class MergeView(APIView):
    permission_classes = AGENT

    @extend_schema(summary="Merge this (duplicate) ticket into another of the same organization",
                   request=MergeSerializer, responses=TicketSerializer)
    def post(self, request, number: str):
        ticket = visible_ticket(request, number)
        data = MergeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        target = ticket_policy.visible(request.user).filter(number=data.validated_data["target"]).first()
        if target is None:
            raise ValidationError({"target": [_("No ticket with this number.")]})
        merged = services.ticket_merge(ticket=ticket, user=request.user, target=target)
        return _detail(merged)
