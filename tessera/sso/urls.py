from django.urls import path

from . import views

app_name = "sso"

urlpatterns = [
    path("callback/", views.CallbackView.as_view(), name="callback"),
    path("link/", views.link, name="link"),
    path("link/send/", views.link_email, name="link_email"),
    path("link/<str:token>/", views.link_confirm, name="link_confirm"),
    path("logout/", views.logout, name="logout"),
    path("<slug:provider>/", views.login_start, name="login"),
]
