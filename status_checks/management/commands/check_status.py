from django.core.management.base import BaseCommand, CommandError, CommandParser

from credentials.selectors import credential_by_number
from providers.models import Provider
from status_checks.choices import CheckOutcome, SweepScope
from status_checks.services import status_sweep_run_inline, status_sweep_start


class Command(BaseCommand):
    help = (
        "Run the accreditation-status check now, in this process, for the whole register, "
        "one provider or one credential; prints a summary. Same code as the Celery sweep."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--all", action="store_true", help="Every live credential.")
        target.add_argument("--provider", metavar="SLUG", help="One provider's credentials.")
        target.add_argument("--credential", metavar="REGNO", help="One registration number.")
        parser.add_argument(
            "--no-email",
            action="store_true",
            help="Record alerts but do not e-mail providers' administrators.",
        )

    def handle(self, *args, **options) -> None:
        provider = credential = None
        if options["provider"]:
            scope = SweepScope.PROVIDER
            provider = Provider.objects.filter(slug=options["provider"]).first()
            if provider is None:
                raise CommandError(f"No provider with slug {options['provider']!r}.")
        elif options["credential"]:
            scope = SweepScope.CREDENTIAL
            credential = credential_by_number(options["credential"])
            if credential is None:
                raise CommandError(f"No credential numbered {options['credential']!r}.")
        else:
            scope = SweepScope.REGISTER

        sweep = status_sweep_start(
            scope=scope, provider=provider, credential=credential, enqueue=False
        )
        result = status_sweep_run_inline(
            sweep=sweep, alert_delivery="none" if options["no_email"] else "inline"
        )

        self.stdout.write(
            f"Sweep #{sweep.pk} ({sweep.get_scope_display()}): {sweep.get_state_display()}, "
            f"checked {sweep.checked}/{sweep.total}, {sweep.changes} status changes."
        )
        counts = ", ".join(
            f"{outcome.label.lower()} {result.outcomes[outcome]}"
            for outcome in CheckOutcome
            if result.outcomes[outcome]
        )
        if counts:
            self.stdout.write(f"Check records: {counts}.")
        for number, old, new, reason in result.changes:
            self.stdout.write(f"  {number}: {old} -> {new} ({reason})")
        if result.alert_check_ids and not options["no_email"]:
            self.stdout.write(f"Alerts sent for {len(result.alert_check_ids)} check records.")
        self.stdout.write(self.style.SUCCESS("Done."))
