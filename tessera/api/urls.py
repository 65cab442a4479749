"""/api/: the OpenAPI schema, its docs and version 1; anything else under /api/ is a JSON 404."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny

from .errors import not_found
from .views import accounts, admin, desk, tickets, tokens

app_name = "api"

v1 = [
    # customers (and agents): the portal's visibility
    path("tickets/", tickets.TicketListView.as_view(), name="ticket_list"),
    path("tickets/<str:number>/", tickets.TicketDetailView.as_view(), name="ticket_detail"),
    path("tickets/<str:number>/comments/", tickets.CommentListView.as_view(), name="ticket_comments"),
    path("tickets/<str:number>/attachments/", tickets.AttachmentListView.as_view(), name="ticket_attachments"),
    path("tickets/<str:number>/attachments/<int:pk>/", tickets.AttachmentDownloadView.as_view(),
         name="attachment_download"),
    path("tickets/<str:number>/close/", tickets.TicketCloseView.as_view(), name="ticket_close"),
    path("tickets/<str:number>/accept/", tickets.TicketAcceptView.as_view(), name="ticket_accept"),
    path("tickets/<str:number>/reject/", tickets.TicketRejectView.as_view(), name="ticket_reject"),
    path("categories/", tickets.CategoryListView.as_view(), name="category_list"),
    # agents
    path("queues/", desk.QueueListView.as_view(), name="queue_list"),
    path("queues/<str:key>/tickets/", desk.QueueTicketsView.as_view(), name="queue_tickets"),
    path("tickets/<str:number>/assign/", desk.AssignView.as_view(), name="ticket_assign"),
    path("tickets/<str:number>/status/", desk.StatusActionView.as_view(), name="ticket_status"),
    path("tickets/<str:number>/notes/", desk.NoteView.as_view(), name="ticket_notes"),
    path("tickets/<str:number>/merge/", desk.MergeView.as_view(), name="ticket_merge"),
    # vendor administrators
    path("organizations/", admin.OrganizationListView.as_view(), name="organization_list"),
    path("organizations/<str:customer_code>/", admin.OrganizationDetailView.as_view(), name="organization_detail"),
    path("organizations/<str:customer_code>/contacts/", admin.ContactListView.as_view(), name="contact_list"),
    path("memberships/<int:pk>/", admin.MembershipDetailView.as_view(), name="membership_detail"),
    path("memberships/<int:pk>/deactivate/", admin.MembershipDeactivateView.as_view(),
         name="membership_deactivate"),
    path("memberships/<int:pk>/reactivate/", admin.MembershipReactivateView.as_view(),
         name="membership_reactivate"),
    path("service-teams/", admin.ServiceTeamListView.as_view(), name="service_team_list"),
    path("service-teams/<int:pk>/", admin.ServiceTeamDetailView.as_view(), name="service_team_detail"),
    path("admin/categories/", admin.CategoryCreateView.as_view(), name="category_create"),
    path("admin/categories/<int:pk>/", admin.CategoryDetailView.as_view(), name="category_detail"),
    # anyone with an invitation
    path("tokens/", tokens.TokenListView.as_view(), name="token_list"),
    path("tokens/self/", tokens.TokenSelfView.as_view(), name="token_self"),
    path("tokens/self/rotate/", tokens.TokenRotateView.as_view(), name="token_rotate"),
    path("tokens/<int:pk>/", tokens.TokenDetailView.as_view(), name="token_detail"),
    path("invitations/accept/", accounts.InvitationAcceptView.as_view(), name="invitation_accept"),
]

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(permission_classes=[AllowAny], authentication_classes=[]),
         name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema", permission_classes=[AllowAny],
                                                      authentication_classes=[]), name="docs"),
    *[path(f"v1/{str(p.pattern)}", p.callback, name=p.name) for p in v1],
    re_path(r"^.*$", not_found, name="not_found"),
]
