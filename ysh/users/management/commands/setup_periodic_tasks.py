from django.core.management.base import BaseCommand

from ysh.beat import install_schedule


class Command(BaseCommand):
    help = "Install the beat schedule of ysh/beat.py into django-celery-beat (idempotent)."

    def handle(self, *args, **options):
        counts = install_schedule()
        self.stdout.write(
            self.style.SUCCESS(
                "Periodic tasks: {created} created, {updated} updated, "
                "{unchanged} unchanged, {removed} removed.".format(**counts)
            )
        )
