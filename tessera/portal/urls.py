from django.urls import path, re_path

from .views import home, organization, ticket_list, tickets

app_name = "portal"

urlpatterns = [
    path("", home.home, name="home"),
    path("link/", organization.link, name="link"),
    path("organization/users/", organization.organization_users, name="organization_users"),
    path("organization/two-factor/", organization.organization_two_factor, name="organization_two_factor"),
    path(
        "organization/users/<int:pk>/activate/", organization.organization_user_activate,
        name="organization_user_activate",
    ),
    path("organization/users/<int:pk>/role/", organization.organization_user_role, name="organization_user_role"),
    path(
        "organization/users/<int:pk>/deactivate/", organization.organization_user_deactivate,
        name="organization_user_deactivate",
    ),
    path(
        "organization/users/<int:pk>/reactivate/", organization.organization_user_reactivate,
        name="organization_user_reactivate",
    ),
    path(
        "organization/link-requests/<int:pk>/approve/", organization.organization_link_approve,
        name="organization_link_approve",
    ),
    path(
        "organization/link-requests/<int:pk>/reject/", organization.organization_link_reject,
        name="organization_link_reject",
    ),
    # "My tickets" before tickets/<number>/, whose pattern would also match "filter".
    path("tickets/", ticket_list.ticket_list, name="ticket_list"),
    path("tickets/filter/", ticket_list.ticket_filter, name="ticket_filter"),
    re_path(r"^tickets/export\.(?P<format>csv|xlsx)$", ticket_list.ticket_export, name="ticket_export"),
    path("tickets/<str:number>/pane/", ticket_list.ticket_pane, name="ticket_pane"),
    path("tickets/new/", tickets.ticket_create, name="ticket_create"),
    path("tickets/new/categories/", tickets.ticket_create_categories, name="ticket_create_categories"),
    path("tickets/<str:number>/", tickets.ticket_detail, name="ticket_detail"),
    path("tickets/<str:number>/comment/", tickets.ticket_comment, name="ticket_comment"),
    path("tickets/<str:number>/cc/", tickets.ticket_cc_add, name="ticket_cc_add"),
    path("tickets/<str:number>/close/", tickets.ticket_close, name="ticket_close"),
    path("tickets/<str:number>/accept/", tickets.ticket_accept, name="ticket_accept"),
    path("tickets/<str:number>/reject/", tickets.ticket_reject, name="ticket_reject"),
    path(
        "tickets/<str:number>/attachments/<int:pk>/", tickets.attachment_download, name="attachment_download"
    ),
]
