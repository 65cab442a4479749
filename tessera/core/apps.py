from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "tessera.core"
    label = "core"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the deployment checks)
        from .observability.metrics import register_scrape_time_collector
        from .observability.task_queue import collect_task_queue

        register_scrape_time_collector("task_queue", collect_task_queue)
