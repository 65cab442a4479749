from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo and benchmark data (``manage.py seed_demo``): an operations app, on top of every domain app."""

    name = "tessera.demo"
    label = "demo"
