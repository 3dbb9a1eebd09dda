"""Public HTML pages of statements (mounted under i18n_patterns in config/urls.py)."""

from django.urls import path

from . import views

app_name = "statements"

urlpatterns = [
    path("verify/statement/", views.verify_statement, name="verify"),
]
