"""Vendor administrators' endpoints: organizations (upsert by customer code), contacts and memberships,
categories and service teams."""

from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from tessera.accounts.services import contact_invite
from tessera.organizations.models import Membership, Organization
from tessera.organizations.selectors import organization_memberships
from tessera.organizations.services import (
    membership_change_role,
    membership_deactivate,
    membership_reactivate,
    organization_upsert,
)
from tessera.tickets.models import Category, ServiceTeam
from tessera.tickets.services.catalog import category_create, category_update, service_team_create, service_team_update

from ..pagination import IdCursorPagination
from ..permissions import IsVendorAdmin, TokenScopePermission
from ..serializers import (
    CategoryCreateSerializer,
    CategoryUpdateSerializer,
    InviteSerializer,
    MembershipSerializer,
    OrganizationCreateSerializer,
    OrganizationSerializer,
    OrganizationWriteSerializer,
    RoleSerializer,
    ServiceTeamSerializer,
    ServiceTeamUpdateSerializer,
)

ADMIN = [IsAuthenticated, TokenScopePermission, IsVendorAdmin]


def _organization_or_404(customer_code: str) -> Organization:
    organization = Organization.objects.filter(customer_code=customer_code).first()
    if organization is None:
        raise Http404
    return organization


class OrganizationListView(generics.GenericAPIView):
    permission_classes = ADMIN
    serializer_class = OrganizationSerializer
    pagination_class = IdCursorPagination

    @extend_schema(summary="Organizations", operation_id="organizations_list",
                   responses=OrganizationSerializer(many=True), parameters=[
        OpenApiParameter("q", str, description="Search name, customer code, postal code and city.")])
    def get(self, request):
        organizations = Organization.objects.all()
        query = request.query_params.get("q", "").replace("\x00", "").strip()[:100]
        if query:
            organizations = organizations.filter(
                Q(name__icontains=query) | Q(customer_code__icontains=query) | Q(postal_code__icontains=query)
                | Q(city__icontains=query)
            )
        page = self.paginate_queryset(organizations)
        return self.get_paginated_response(OrganizationSerializer(page, many=True).data)

    @extend_schema(summary="Create an organization, or update the one with this customer code",
                   request=OrganizationCreateSerializer,
                   responses={200: OrganizationSerializer, 201: OrganizationSerializer})
    def post(self, request):
        data = OrganizationCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        code = values.pop("customer_code")
        organization, created = organization_upsert(customer_code=code, values=values, changed_by=request.user)
        return Response(OrganizationSerializer(organization).data, status=201 if created else 200)


class OrganizationDetailView(APIView):
    permission_classes = ADMIN

    @extend_schema(summary="An organization by customer code", responses=OrganizationSerializer,
                   operation_id="organizations_retrieve")
    def get(self, request, customer_code: str):
        return Response(OrganizationSerializer(_organization_or_404(customer_code)).data)

    @extend_schema(summary="Create or update the organization with this customer code (upsert)",
                   request=OrganizationWriteSerializer,
                   responses={200: OrganizationSerializer, 201: OrganizationSerializer})
    def put(self, request, customer_code: str):
        data = OrganizationWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        organization, created = organization_upsert(
            customer_code=customer_code, values=dict(data.validated_data), changed_by=request.user
        )
        return Response(OrganizationSerializer(organization).data, status=201 if created else 200)


class ContactListView(APIView):
    permission_classes = ADMIN

    @extend_schema(summary="The organization's contacts and their memberships",
                   responses=MembershipSerializer(many=True))
    def get(self, request, customer_code: str):
        organization = _organization_or_404(customer_code)
        memberships = organization_memberships(organization=organization).select_related("user", "organization")
        return Response(MembershipSerializer(memberships, many=True).data)

    @extend_schema(summary="Invite a contact (sends the activation e-mail)", request=InviteSerializer,
                   responses={201: MembershipSerializer})
    def post(self, request, customer_code: str):
        organization = _organization_or_404(customer_code)
        data = InviteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = contact_invite(organization=organization, invited_by=request.user, **data.validated_data)
        membership = Membership.objects.select_related("user", "organization").get(user=user)
        return Response(MembershipSerializer(membership).data, status=201)


def _membership_or_404(pk: int) -> Membership:
    membership = Membership.objects.select_related("user", "organization").filter(pk=pk).first()
    if membership is None:
        raise Http404
    return membership


class MembershipDetailView(APIView):
    permission_classes = ADMIN

    @extend_schema(summary="A membership", responses=MembershipSerializer)
    def get(self, request, pk: int):
        return Response(MembershipSerializer(_membership_or_404(pk)).data)

    @extend_schema(summary="Change the member's role", request=RoleSerializer, responses=MembershipSerializer)
    def patch(self, request, pk: int):
        membership = _membership_or_404(pk)
        data = RoleSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        membership_change_role(membership=membership, role=data.validated_data["role"], changed_by=request.user)
        return Response(MembershipSerializer(_membership_or_404(pk)).data)


class MembershipDeactivateView(APIView):
    permission_classes = ADMIN

    @extend_schema(summary="Deactivate the member (keeps the account)", request=None, responses=MembershipSerializer)
    def post(self, request, pk: int):
        membership_deactivate(membership=_membership_or_404(pk), deactivated_by=request.user)
        return Response(MembershipSerializer(_membership_or_404(pk)).data)


class MembershipReactivateView(APIView):
    permission_classes = ADMIN

    @extend_schema(summary="Reactivate the member", request=None, responses=MembershipSerializer)
    def post(self, request, pk: int):
        membership_reactivate(membership=_membership_or_404(pk), reactivated_by=request.user)
        return Response(MembershipSerializer(_membership_or_404(pk)).data)


class ServiceTeamListView(APIView):
    permission_classes = ADMIN

    @extend_schema(summary="Service teams", responses=ServiceTeamSerializer(many=True))
    def get(self, request):
        return Response(ServiceTeamSerializer(ServiceTeam.objects.order_by("name", "pk"), many=True).data)

    @extend_schema(summary="Create a service team", request=ServiceTeamSerializer,
                   responses={201: ServiceTeamSerializer})
    def post(self, request):
        data = ServiceTeamSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        team = service_team_create(name=data.validated_data["name"], email=data.validated_data.get("email", ""),
                                   created_by=request.user)
        return Response(ServiceTeamSerializer(team).data, status=201)


def _team_or_404(pk: int) -> ServiceTeam:
    team = ServiceTeam.objects.filter(pk=pk).first()
    if team is None:
        raise Http404
    return team


class ServiceTeamDetailView(APIView):
    permission_classes = ADMIN

    @extend_schema(summary="A service team", responses=ServiceTeamSerializer)
    def get(self, request, pk: int):
        return Response(ServiceTeamSerializer(_team_or_404(pk)).data)

    @extend_schema(summary="Change a service team: name, e-mail, active", request=ServiceTeamUpdateSerializer,
                   responses=ServiceTeamSerializer)
    def patch(self, request, pk: int):
        team = _team_or_404(pk)
        data = ServiceTeamUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        team = service_team_update(team=team, values=data.validated_data, changed_by=request.user)
        return Response(ServiceTeamSerializer(team).data)


def _category_data(category: Category) -> dict:
    return CategoryCreateSerializer({
        "id": category.pk, "name": category.name, "parent": category.parent_id,
        "service_team": category.service_team_id, "position": category.position, "is_active": category.is_active,
    }).data


class CategoryDetailView(APIView):
    permission_classes = ADMIN

    def _category(self, pk: int) -> Category:
        category = Category.objects.filter(pk=pk).first()
        if category is None:
            raise Http404
        return category

    @extend_schema(summary="A category (a node of the tree), active or not", responses=CategoryCreateSerializer)
    def get(self, request, pk: int):
        return Response(_category_data(self._category(pk)))

    @extend_schema(summary="Change a category: name, routing team, position, active",
                   request=CategoryUpdateSerializer, responses=CategoryCreateSerializer)
    def patch(self, request, pk: int):
        category = self._category(pk)
        data = CategoryUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if values.get("service_team") is not None:
            values["service_team"] = ServiceTeam.objects.filter(pk=values["service_team"]).first()
            if values["service_team"] is None:
                raise ValidationError({"service_team": [_("No service team with this id.")]})
        category = category_update(category=category, values=values, changed_by=request.user)
        return Response(_category_data(category))


class CategoryCreateView(APIView):
    permission_classes = ADMIN

    @extend_schema(summary="Create a category (a node of the tree)", request=CategoryCreateSerializer,
                   responses={201: CategoryCreateSerializer})
    def post(self, request):
        data = CategoryCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        parent = service_team = None
        if values.get("parent") is not None:
            parent = Category.objects.filter(pk=values["parent"]).first()
            if parent is None:
                raise ValidationError({"parent": [_("No category with this id.")]})
        if values.get("service_team") is not None:
            service_team = ServiceTeam.objects.filter(pk=values["service_team"]).first()
            if service_team is None:
                raise ValidationError({"service_team": [_("No service team with this id.")]})
        category = category_create(name=values["name"], parent=parent, service_team=service_team,
                                   position=values["position"], created_by=request.user)
        return Response(_category_data(category), status=201)
