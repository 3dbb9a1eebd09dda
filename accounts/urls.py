"""Sign-in security pages, mounted beside django.contrib.auth's under /accounts/."""

from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("two-factor/", views.enrol, name="two-factor-enrol"),
    path("two-factor/verify/", views.verify, name="two-factor-verify"),
]
