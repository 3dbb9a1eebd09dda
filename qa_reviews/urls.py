"""Review pages (mounted at reviews/ under i18n_patterns in config/urls.py)."""

from django.urls import path

from . import views

app_name = "reviews"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("board/", views.board, name="board"),
    path("open/", views.review_open_view, name="open"),
    path("<int:pk>/", views.review_detail, name="review"),
    path("<int:pk>/declare/", views.declare, name="declare"),
    path("<int:pk>/judgements/", views.judge, name="judge"),
    path("<int:pk>/decision/", views.decide, name="decide"),
    path("<int:pk>/assign/", views.assign, name="assign"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
    path("conditions/<int:pk>/confirm/", views.condition_confirm, name="condition-confirm"),
    path("judgements/<int:pk>/evidence/", views.judgement_evidence, name="judgement-evidence"),
]
