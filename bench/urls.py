"""The ceiling pages, included by ``tessera/urls.py`` under ``/bench/`` only when ``TESSERA_BENCH`` is on."""

from django.urls import path

from . import views

urlpatterns = [
    path("static/", views.static_page, name="bench_static"),
]
