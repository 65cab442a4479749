from django.urls import path

from . import audit_views, invitations, outbox, queue_views, views, workspace

app_name = "desk"

urlpatterns = [
    path("", views.home, name="home"),
    path("queues/", queue_views.queue_default, name="queues"),
    path("queues/<slug:queue>/", queue_views.queue, name="queue"),
    path("approvals/", views.approvals, name="approvals"),
    path("approvals/<int:pk>/approve/", views.approval_approve, name="approval_approve"),
    path("approvals/<int:pk>/reject/", views.approval_reject, name="approval_reject"),
    path("organizations/", views.organizations, name="organizations"),
    path("organizations/<int:pk>/", views.organization_detail, name="organization_detail"),
    path("organizations/<int:pk>/invite/", invitations.contact_invite, name="organization_invite"),
    path("outbox/", outbox.email_outbox, name="email_outbox"),
    path("outbox/<int:pk>/retry/", outbox.email_outbox_retry, name="email_outbox_retry"),
    path("audit/", audit_views.audit_log, name="audit_log"),
    # The ticket workspace and what an agent does there (workspace.py).
    path("tickets/<str:number>/", workspace.ticket, name="ticket"),
    path("tickets/<str:number>/reply/", workspace.ticket_reply, name="ticket_reply"),
    path("tickets/<str:number>/canned/", workspace.ticket_canned, name="ticket_canned"),
    path("tickets/<str:number>/status/", workspace.ticket_status, name="ticket_status"),
    path("tickets/<str:number>/assign/", workspace.ticket_assign, name="ticket_assign"),
    path("tickets/<str:number>/assign/me/", workspace.ticket_assign_me, name="ticket_assign_me"),
    path("tickets/<str:number>/unassign/", workspace.ticket_unassign, name="ticket_unassign"),
    path("tickets/<str:number>/team/", workspace.ticket_team, name="ticket_team"),
    path("tickets/<str:number>/priority/", workspace.ticket_priority, name="ticket_priority"),
    path("tickets/<str:number>/category/", workspace.ticket_category, name="ticket_category"),
    path("tickets/<str:number>/cc/", workspace.ticket_cc_add, name="ticket_cc_add"),
    path("tickets/<str:number>/cc/remove/", workspace.ticket_cc_remove, name="ticket_cc_remove"),
    path("tickets/<str:number>/links/", workspace.ticket_link, name="ticket_link"),
    path("tickets/<str:number>/links/<str:other>/remove/", workspace.ticket_unlink, name="ticket_unlink"),
    path("tickets/<str:number>/merge/", workspace.ticket_merge, name="ticket_merge"),
    path(
        "tickets/<str:number>/attachments/<int:pk>/", workspace.attachment_download, name="ticket_attachment"
    ),
]
