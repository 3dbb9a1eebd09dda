"""Optional error reporting to Sentry, on only when SENTRY_DSN is set."""


def init_sentry(dsn: str, *, environment: str, traces_sample_rate: float) -> bool:
    """Initialise the SDK with the Django and Celery integrations; False when `dsn` is blank."""
    if not dsn:
        return False
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        traces_sample_rate=traces_sample_rate,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        # Learners' searches and reviewers' evidence are not for a third party.
        send_default_pii=False,
    )
    return True
