from django.apps import AppConfig


class HealthConfig(AppConfig):
    name = "tessera.health"
    label = "health"
    verbose_name = "Health"
