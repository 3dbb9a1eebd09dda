"""Public pages of the change feed (mounted under i18n_patterns in config/urls.py)."""

from django.urls import path

from . import atom

app_name = "changes"

urlpatterns = [
    path("search/feed.atom", atom.search_feed, name="search-feed"),
]
