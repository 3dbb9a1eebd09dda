"""``manage.py check --deploy`` refuses a production without a signing key.

Only the deploy checks look: a developer's ``check``, the test suite and CI run without keys
(``make run`` makes one), and the statement endpoints answer 503 until there is a key.
"""

from django.core.checks import Error, Tags, register

from .keys import SigningKeyError, published_keys


@register(Tags.security, deploy=True)
def signing_key_configured(app_configs, **kwargs) -> list[Error]:
    hint = (
        "Set REGISTRY_SIGNING_KEY_DIR to a directory outside the code and run "
        "`manage.py signing_keys create`, or set REGISTRY_SIGNING_JWKS (docs/statements.md)."
    )
    try:
        keys = published_keys()
    except SigningKeyError as error:
        return [
            Error(
                f"The registry's signing keys cannot be read: {error}",
                hint=hint,
                id="statements.E002",
            )
        ]
    if not keys:
        return [
            Error(
                "The registry has no signing key for its statements.",
                hint=hint,
                id="statements.E001",
            )
        ]
    return []
