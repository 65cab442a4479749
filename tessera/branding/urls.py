from django.urls import path

from . import views

app_name = "branding"

urlpatterns = [
    path("brand.css", views.stylesheet, name="css"),
    path("logo/", views.logo, name="logo"),
    path("favicon/", views.favicon, name="favicon"),
]
