from django.urls import path, re_path

from . import organization_views, ticket_list_views, ticket_views, views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("link/", organization_views.link, name="link"),
    path("organization/users/", organization_views.organization_users, name="organization_users"),
    path(
        "organization/users/<int:pk>/activate/", organization_views.organization_user_activate,
        name="organization_user_activate",
    ),
    path("organization/users/<int:pk>/role/", organization_views.organization_user_role, name="organization_user_role"),
    path(
        "organization/users/<int:pk>/deactivate/", organization_views.organization_user_deactivate,
        name="organization_user_deactivate",
    ),
    path(
        "organization/users/<int:pk>/reactivate/", organization_views.organization_user_reactivate,
        name="organization_user_reactivate",
    ),
    path(
        "organization/link-requests/<int:pk>/approve/", organization_views.organization_link_approve,
        name="organization_link_approve",
    ),
    path(
        "organization/link-requests/<int:pk>/reject/", organization_views.organization_link_reject,
        name="organization_link_reject",
    ),
    # "My tickets" before tickets/<number>/, whose pattern would also match "filter".
    path("tickets/", ticket_list_views.ticket_list, name="ticket_list"),
    path("tickets/filter/", ticket_list_views.ticket_filter, name="ticket_filter"),
    re_path(r"^tickets/export\.(?P<format>csv|xlsx)$", ticket_list_views.ticket_export, name="ticket_export"),
    path("tickets/<str:number>/pane/", ticket_list_views.ticket_pane, name="ticket_pane"),
    path("tickets/new/", ticket_views.ticket_create, name="ticket_create"),
    path("tickets/new/categories/", ticket_views.ticket_create_categories, name="ticket_create_categories"),
    path("tickets/<str:number>/", ticket_views.ticket_detail, name="ticket_detail"),
    path("tickets/<str:number>/comment/", ticket_views.ticket_comment, name="ticket_comment"),
    path("tickets/<str:number>/cc/", ticket_views.ticket_cc_add, name="ticket_cc_add"),
    path("tickets/<str:number>/close/", ticket_views.ticket_close, name="ticket_close"),
    path("tickets/<str:number>/accept/", ticket_views.ticket_accept, name="ticket_accept"),
    path("tickets/<str:number>/reject/", ticket_views.ticket_reject, name="ticket_reject"),
    path(
        "tickets/<str:number>/attachments/<int:pk>/", ticket_views.attachment_download, name="attachment_download"
    ),
]
