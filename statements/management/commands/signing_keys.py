"""Create, rotate, list and revoke the registry's signing keys (statements.keys)."""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from statements.keys import (
    SigningKeyError,
    all_keys,
    key_directory,
    signing_key,
    signing_key_create,
    signing_key_revoke,
)


class Command(BaseCommand):
    help = (
        "The keys registry statements are signed with, in REGISTRY_SIGNING_KEY_DIR. "
        "create: the first key (--if-missing: only when there is none); rotate: a new key "
        "signs from now on, older keys stay published so their statements still verify; "
        "list: every key and its state; revoke KID: stop publishing a key, so statements it "
        "signed no longer verify (for a leaked key)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="Make the first signing key.")
        create.add_argument(
            "--if-missing", action="store_true", help="Do nothing when a key exists already."
        )
        actions.add_parser("rotate", help="Make a new key that signs from now on.")
        actions.add_parser("list", help="Every key: signing, verifying or revoked.")
        revoke = actions.add_parser("revoke", help="Stop publishing a key.")
        revoke.add_argument("kid", help="The key's id, as `list` shows it.")

    def handle(self, *args, **options) -> None:
        try:
            getattr(self, f"_{options['action']}")(options)
        except SigningKeyError as error:
            raise CommandError(str(error)) from error

    def _create(self, options: dict) -> None:
        if all_keys():
            if options["if_missing"]:
                self.stdout.write(f"A signing key exists already: {signing_key().kid}")
                return
            raise CommandError(
                "A signing key exists already; `signing_keys rotate` makes a new one sign."
            )
        key = signing_key_create()
        self.stdout.write(self.style.SUCCESS(f"Created signing key {key.kid} in {key_directory()}"))

    def _rotate(self, options: dict) -> None:
        if not all_keys():
            raise CommandError("There is no key to rotate: `signing_keys create` makes the first.")
        previous = signing_key().kid
        key = signing_key_create()
        self.stdout.write(
            self.style.SUCCESS(
                f"{key.kid} signs from now on; {previous} stays published, so the statements "
                "it signed still verify."
            )
        )

    def _list(self, options: dict) -> None:
        keys = all_keys()
        if not keys:
            self.stdout.write("No signing keys.")
            return
        signer = signing_key().kid if any(k.revoked is None for k in keys) else None
        for key in keys:
            if key.revoked is not None:
                state = f"revoked {key.revoked:%Y-%m-%d %H:%M}"
            else:
                state = "signing" if key.kid == signer else "verifying"
            created = f"{key.created:%Y-%m-%d %H:%M}" if key.created else "-"
            self.stdout.write(f"{key.kid}\t{state}\tcreated {created}")

    def _revoke(self, options: dict) -> None:
        key = signing_key_revoke(kid=options["kid"])
        self.stdout.write(
            self.style.WARNING(
                f"{key.kid} is revoked: no longer in did.json, and statements it signed no "
                "longer verify (they check as signed by an unknown key)."
            )
        )
