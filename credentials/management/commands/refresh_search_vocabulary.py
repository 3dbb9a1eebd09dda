from django.core.management.base import BaseCommand

from credentials.models import SearchTerm
from credentials.search.vocabulary import search_vocabulary_refresh


class Command(BaseCommand):
    help = (
        "Rebuild the vocabulary that search suggestions (“did you mean”) come from, from the "
        "current registered entries. Celery beat runs this every "
        "SEARCH_VOCABULARY_REFRESH_SECONDS; run it after a bulk load."
    )

    def handle(self, *args, **options) -> None:
        if not search_vocabulary_refresh():
            self.stdout.write("Another refresh is running; nothing done.")
            return
        self.stdout.write(
            self.style.SUCCESS(f"The vocabulary holds {SearchTerm.objects.count()} words.")
        )
