from django.core.management.base import BaseCommand, CommandError

from tessera.tickets import tasks


class Command(BaseCommand):
    help = (
        "Ticket automation: complete tickets whose solution went unanswered for TESSERA_AUTO_COMPLETE_DAYS "
        "and remind customers of tickets waiting for them. By default, make sure the task worker runs it: "
        "queue a run now unless one is already waiting (each run queues the next one "
        "TESSERA_AUTOMATION_INTERVAL_MINUTES later). Safe to run any number of times, e.g. at every deploy. "
        "With --once, run one pass here and now instead (for cron, or without a task worker); of several nodes "
        "running it from cron, one runs the pass per interval."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--once", action="store_true",
            help="Run one pass in this process and exit; queues nothing.",
        )

    def handle(self, *args, once=False, **options):
        if once:
            counts = tasks.run_pass_once_per_interval()
            if counts is None:
                self.stdout.write("Another process ran the automation less than an interval ago; nothing to do.")
                return
            self.stdout.write(
                f"Completed {counts['completed']} tickets; reminders: {counts['solution_reminders']} for provided "
                f"solutions, {counts['customer_action_reminders']} for customer action; {counts['failed']} failed."
            )
            if counts["failed"]:
                raise CommandError(f"{counts['failed']} tickets could not be processed; see the log.")
            return
        if not tasks.can_schedule():
            raise CommandError(
                "The task backend does not keep tasks in the database; run "
                "'manage.py run_automation --once' from cron instead."
            )
        if tasks.schedule_automation(unless_running=True):
            self.stdout.write("Ticket automation queued; the task worker runs it and keeps it scheduled.")
        else:
            self.stdout.write("Ticket automation is already queued; nothing to do.")
