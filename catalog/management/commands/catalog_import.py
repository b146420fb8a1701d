"""Run the import of one or all distributors now, in this process.

python manage.py catalog_import                 # every active distributor
python manage.py catalog_import fortlev odex    # by slug
python manage.py catalog_import --queue         # enqueue on the scraping queue instead
"""

from django.core.management.base import BaseCommand, CommandError

from catalog.models import Distributor
from catalog.models.imports import ImportTrigger


class Command(BaseCommand):
    help = "Import distributors' feeds through the catalog pipeline (one run per distributor)."

    def add_arguments(self, parser):
        parser.add_argument("slugs", nargs="*", help="distributor slugs (default: every active distributor)")
        parser.add_argument(
            "--queue", action="store_true", help="enqueue Celery tasks instead of running here"
        )

    def handle(self, *args, slugs, queue, **options):
        from catalog import services

        distributors = Distributor.objects.order_by("id")
        if slugs:
            distributors = distributors.filter(slug__in=slugs)
            missing = set(slugs) - set(distributors.values_list("slug", flat=True))
            if missing:
                raise CommandError(f"unknown distributors: {', '.join(sorted(missing))}")
        else:
            distributors = distributors.filter(is_active=True)
        failed = 0
        for distributor in distributors:
            if queue:
                run = services.import_run_enqueue(distributor=distributor, trigger=ImportTrigger.COMMAND)
                self.stdout.write(f"{distributor.slug}: queued as import run #{run.pk}")
                continue
            run = services.import_run_execute(distributor=distributor, trigger=ImportTrigger.COMMAND)
            seconds = run.duration_seconds or 0
            rate = f"{run.fetched / seconds:.0f} listings/s" if seconds else "-"
            self.stdout.write(
                f"{distributor.slug}: #{run.pk} {run.status} in {seconds:.1f}s ({rate}) — "
                f"fetched {run.fetched}, new {run.created}, updated {run.updated}, "
                f"unchanged {run.unchanged}, "
                f"rejected {run.rejected}, review {run.review}, deactivated {run.deactivated}"
            )
            for error in run.errors[:10]:
                self.stdout.write(f"    {error}")
            failed += run.status == "failed"
        if failed:
            raise CommandError(f"{failed} import(s) failed")
