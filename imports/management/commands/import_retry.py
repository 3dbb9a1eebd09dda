from django.core.management.base import BaseCommand, CommandError, CommandParser

from imports.models import ImportJob
from imports.recovery import import_retry
from imports.tasks import import_run_task


class Command(BaseCommand):
    help = (
        "Queue a failed import again (for example one the reaper gave up on after a fault). "
        "A failed import wrote nothing, so running it again is safe."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("job_id", metavar="JOB", type=int)

    def handle(self, *args, **options) -> None:
        try:
            job = import_retry(job_id=options["job_id"])
        except ImportJob.DoesNotExist as error:
            raise CommandError(f"No import job {options['job_id']}.") from error
        except ValueError as error:
            raise CommandError(str(error)) from error
        import_run_task.delay(job.pk)
        self.stdout.write(f"Import #{job.pk} queued again.")
