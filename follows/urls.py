"""Following by e-mail (mounted under i18n_patterns at follow/ in config/urls.py)."""

from django.urls import path

from . import views

app_name = "follows"

urlpatterns = [
    path("record/<int:pk>/", views.follow_record, name="record"),
    path("search/", views.follow_search, name="search"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("leave/<str:token>/", views.leave, name="leave"),
    path("manage/", views.manage, name="manage"),
    path("manage/<str:token>/", views.manage_address, name="manage-address"),
]
