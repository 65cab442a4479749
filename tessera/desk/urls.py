from django.urls import path

from . import invitations, views

app_name = "desk"

urlpatterns = [
    path("", views.home, name="home"),
    path("approvals/", views.approvals, name="approvals"),
    path("approvals/<int:pk>/approve/", views.approval_approve, name="approval_approve"),
    path("approvals/<int:pk>/reject/", views.approval_reject, name="approval_reject"),
    path("organizations/", views.organizations, name="organizations"),
    path("organizations/<int:pk>/", views.organization_detail, name="organization_detail"),
    path("organizations/<int:pk>/invite/", invitations.contact_invite, name="organization_invite"),
]
