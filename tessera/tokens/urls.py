from django.urls import path

from . import views

app_name = "tokens"

urlpatterns = [
    path("", views.token_list, name="token_list"),
    path("<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
]
