from django.urls import path

from . import import_views, pathway_views, sweep_views, views, webhook_views

app_name = "workspace"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("records/", views.credential_list, name="credentials"),
    path("records/new/", views.credential_create_view, name="credential-new"),
    path("records/<int:pk>/", views.credential_detail, name="credential"),
    path("records/<int:pk>/edit/", views.credential_edit, name="credential-edit"),
    path("records/<int:pk>/move/", views.credential_move, name="credential-move"),
    path("records/<int:pk>/ask/", views.credential_ask, name="credential-ask"),
    path("records/<int:pk>/pathways/", pathway_views.pathway_new, name="pathway-new"),
    path(
        "records/<int:pk>/pathways/<int:pathway_pk>/components/",
        pathway_views.pathway_component_new,
        name="pathway-component-new",
    ),
    path("records/<int:pk>/recognitions/", pathway_views.recognition_new, name="recognition-new"),
    path("imports/", import_views.imports, name="imports"),
    path("imports/<int:pk>/", import_views.import_detail, name="import"),
    path("status-sweeps/", sweep_views.sweeps, name="sweeps"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token-revoke"),
    path("webhooks/", webhook_views.webhooks, name="webhooks"),
    path("webhooks/<int:pk>/", webhook_views.webhook_detail, name="webhook"),
    path("webhooks/<int:pk>/pause/", webhook_views.webhook_pause, name="webhook-pause"),
    path("webhooks/<int:pk>/resume/", webhook_views.webhook_resume, name="webhook-resume"),
    path("webhooks/<int:pk>/replay/", webhook_views.webhook_replay, name="webhook-replay"),
]
