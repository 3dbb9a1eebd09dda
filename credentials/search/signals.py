"""Receivers that keep cached search counts honest; connected in CredentialsConfig.ready()."""

from django.db.models.signals import post_delete, post_save

from providers.models import Provider
from qualifications.models import AreaOfStudy, Framework, Level, LevelReference

from ..models import Credential
from .cache import search_cache_invalidate_on_change


def _register_changed(sender, **kwargs) -> None:
    search_cache_invalidate_on_change()


# A framework's code is in facet labels and in what an `eqf` filter reports.
for _model in (Credential, Provider, AreaOfStudy, Framework, Level, LevelReference):
    for _signal in (post_save, post_delete):
        _signal.connect(
            _register_changed, sender=_model, dispatch_uid=f"search-cache-{_model.__name__}"
        )
