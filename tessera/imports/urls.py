from django.urls import path

from . import views

app_name = "imports"

urlpatterns = [
    path("organizations/", views.organizations_import, name="organizations"),
    path("<int:pk>/", views.run_detail, name="run"),
    path("<int:pk>/commit/", views.run_commit, name="run_commit"),
    path("<int:pk>/report.csv", views.run_report, name="run_report"),
]
