"""Celery tasks of the register: thin wrappers around its services."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from .interop.daily_export import daily_export_build
from .search.cube import facet_cube_compact
from .search.vocabulary import search_vocabulary_refresh


@shared_task(
    name="credentials.tasks.search_vocabulary_refresh_task",
    ignore_result=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    max_retries=3,
)
def search_vocabulary_refresh_task() -> bool:
    """Rebuild the "did you mean" vocabulary (one statement; a repeat only re-counts)."""
    return search_vocabulary_refresh()


@shared_task(
    name="credentials.tasks.daily_export_build_task",
    ignore_result=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=60,
    max_retries=5,
    # Longer than the default 840/900 s: 192,032 rows took 53 s on the loaded two cores, so a
    # million may take five minutes or more. A build stopped by the soft limit removes its
    # temporary files like any failed one.
    soft_time_limit=1_800,
    time_limit=1_860,
)
def daily_export_build_task() -> bool:
    """Build today's export files of the public register; a repeat the same day rebuilds
    them from the register as it then is, and one during a build returns at once."""
    return daily_export_build() is not None


@shared_task(
    name="credentials.tasks.facet_cube_compact_task",
    ignore_result=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    max_retries=3,
)
def facet_cube_compact_task() -> int:
    """Fold the browse-count deltas into the facet cubes (one at a time: advisory lock)."""
    return facet_cube_compact()
