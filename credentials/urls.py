"""Public HTML pages of the register (mounted under i18n_patterns in config/urls.py)."""

from django.urls import path

from . import views

app_name = "credentials"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("credentials/<int:pk>/", views.detail, name="detail"),
    path("compare/", views.compare, name="compare"),
    path("verify/", views.verify, name="verify"),
    path("download/", views.download, name="download"),
    path("providers/<slug:slug>/", views.provider, name="provider"),
]
