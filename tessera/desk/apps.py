from django.apps import AppConfig


class DeskConfig(AppConfig):
    name = "tessera.desk"
    label = "desk"
