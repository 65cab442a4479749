from django.urls import path

from .views import (
    approvals,
    audit,
    home,
    invitations,
    macros,
    organizations,
    outbox,
    queues,
    replies,
    search,
    ticket_actions,
    ticket_relations,
    workspace,
)

app_name = "desk"

urlpatterns = [
    path("", home.home, name="home"),
    path("queues/", queues.queue_default, name="queues"),
    path("queues/<slug:queue>/", queues.queue, name="queue"),
    path("views/<int:pk>/delete/", queues.view_delete, name="view_delete"),
    path("approvals/", approvals.approvals, name="approvals"),
    path("approvals/<int:pk>/approve/", approvals.approval_approve, name="approval_approve"),
    path("approvals/<int:pk>/reject/", approvals.approval_reject, name="approval_reject"),
    path("organizations/", organizations.organizations, name="organizations"),
    path("organizations/<int:pk>/", organizations.organization_detail, name="organization_detail"),
    path("organizations/<int:pk>/invite/", invitations.contact_invite, name="organization_invite"),
    path("organizations/<int:pk>/notes/", organizations.organization_note_add, name="organization_note_add"),
    path(
        "organizations/<int:pk>/two-factor/", organizations.organization_two_factor,
        name="organization_two_factor",
    ),
    path("outbox/", outbox.email_outbox, name="email_outbox"),
    path("outbox/<int:pk>/retry/", outbox.email_outbox_retry, name="email_outbox_retry"),
    path("audit/", audit.audit_log, name="audit_log"),
    path("macros/", macros.macro_list, name="macros"),
    path("signature/", macros.signature, name="signature"),
    path("macros/<int:pk>/", macros.macro_edit, name="macro_edit"),
    path("macros/<int:pk>/delete/", macros.macro_delete, name="macro_delete"),
    path("search/", search.search, name="search"),
    # The ticket workspace (views/workspace.py) and what an agent does there.
    path("tickets/<str:number>/", workspace.ticket, name="ticket"),
    path("tickets/<str:number>/reply/", replies.ticket_reply, name="ticket_reply"),
    path("tickets/<str:number>/canned/", replies.ticket_canned, name="ticket_canned"),
    path("tickets/<str:number>/macro/", macros.ticket_macro, name="ticket_macro"),
    path("tickets/<str:number>/preview/", replies.ticket_preview, name="ticket_preview"),
    path("tickets/<str:number>/status/", ticket_actions.ticket_status, name="ticket_status"),
    path("tickets/<str:number>/assign/", ticket_actions.ticket_assign, name="ticket_assign"),
    path("tickets/<str:number>/assign/me/", ticket_actions.ticket_assign_me, name="ticket_assign_me"),
    path("tickets/<str:number>/unassign/", ticket_actions.ticket_unassign, name="ticket_unassign"),
    path("tickets/<str:number>/team/", ticket_actions.ticket_team, name="ticket_team"),
    path("tickets/<str:number>/priority/", ticket_actions.ticket_priority, name="ticket_priority"),
    path("tickets/<str:number>/tags/", ticket_actions.ticket_tags, name="ticket_tags"),
    path("tickets/<str:number>/category/", ticket_actions.ticket_category, name="ticket_category"),
    path("tickets/<str:number>/fields/", ticket_actions.ticket_fields, name="ticket_fields"),
    path("tickets/<str:number>/reopen/", ticket_actions.ticket_reopen, name="ticket_reopen"),
    path("tickets/<str:number>/cc/", ticket_relations.ticket_cc_add, name="ticket_cc_add"),
    path("tickets/<str:number>/cc/remove/", ticket_relations.ticket_cc_remove, name="ticket_cc_remove"),
    path("tickets/<str:number>/links/", ticket_relations.ticket_link, name="ticket_link"),
    path("tickets/<str:number>/links/<str:other>/remove/", ticket_relations.ticket_unlink, name="ticket_unlink"),
    path("tickets/<str:number>/merge/", ticket_relations.ticket_merge, name="ticket_merge"),
    path(
        "tickets/<str:number>/attachments/<int:pk>/", workspace.attachment_download, name="ticket_attachment"
    ),
]
