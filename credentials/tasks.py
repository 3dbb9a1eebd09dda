"""Celery tasks for the register's search: thin wrappers around the search services."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

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
    name="credentials.tasks.facet_cube_compact_task",
    ignore_result=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    max_retries=3,
)
def facet_cube_compact_task() -> int:
    """Fold the browse-count deltas into the facet cubes (one at a time: advisory lock)."""
    return facet_cube_compact()
