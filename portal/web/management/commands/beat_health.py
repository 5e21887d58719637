from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django_celery_beat.models import PeriodicTask


class Command(BaseCommand):
    help = "Exit non-zero unless celery beat has run the outbox sweep recently (a health check for beat)."

    def add_arguments(self, parser):
        parser.add_argument("--max-age", type=int, default=300, help="Seconds since the sweep last ran.")

    def handle(self, *args, max_age: int, **options):
        task = PeriodicTask.objects.filter(task="notifications.sweep_outbox").first()
        if task is None or task.last_run_at is None:
            raise CommandError("Beat has not run the outbox sweep yet.")
        age = timezone.now() - task.last_run_at
        if age > timedelta(seconds=max_age):
            raise CommandError(f"The outbox sweep last ran {int(age.total_seconds())} s ago.")
        self.stdout.write(f"ok: the outbox sweep ran {int(age.total_seconds())} s ago")
