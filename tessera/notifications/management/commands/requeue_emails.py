from django.core.management.base import BaseCommand

from tessera.notifications.services import outgoing_emails_requeue_overdue


class Command(BaseCommand):
    help = (
        "Queue delivery again for e-mail still waiting well after it was due (its task was lost, e.g. when a "
        "worker died). Safe to run at any time, e.g. from cron: a message is never sent twice."
    )

    def handle(self, *args, **options):
        count = outgoing_emails_requeue_overdue()
        if options["verbosity"]:
            self.stdout.write(f"{count} message(s) queued again.")
