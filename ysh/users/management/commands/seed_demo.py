from django.core.management.base import BaseCommand

from ysh.demo import seeders


class Command(BaseCommand):
    help = "Load the demo data of every app (idempotent) and print the log-in details."

    def handle(self, *args, **options):
        lines: list[str] = []
        for seeder in seeders():
            self.stdout.write(f"Seeding {seeder.name}…")
            lines.extend(seeder.run())
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS("YSH demo is ready. Sign in with:"))
        for line in lines:
            self.stdout.write(f"  {line}")
