"""Which URLs a webhook may be sent to: public HTTPS hosts, checked again before each send.

A subscriber's URL must not turn the registry into a way into its own network: every
address its host resolves to must be public (not loopback, private, link-local, reserved or
multicast) unless WEBHOOK_ALLOW_PRIVATE_TARGETS says otherwise (tests, a closed network).
Plain http is refused unless WEBHOOK_ALLOW_HTTP. Redirects are never followed.
"""

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def _addresses(host: str, port: int) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise ValidationError(
            _("The host %(host)s cannot be resolved: %(error)s") % {"host": host, "error": error}
        ) from error
    return [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]


def _public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    return address.is_global and not address.is_multicast


def target_url_check(url: str) -> None:
    """Refuse a URL deliveries may not go to, with a message that says why."""
    parts = urlsplit(url)
    allowed_schemes = {"https", "http"} if settings.WEBHOOK_ALLOW_HTTP else {"https"}
    if parts.scheme not in allowed_schemes:
        raise ValidationError(_("The target URL must use https."))
    if not parts.hostname:
        raise ValidationError(_("The target URL needs a host name."))
    if parts.username or parts.password:
        raise ValidationError(_("The target URL must not carry a user name or password."))
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as error:
        raise ValidationError(_("The target URL's port is not a number.")) from error
    if settings.WEBHOOK_ALLOW_PRIVATE_TARGETS:
        return
    refused = [str(a) for a in _addresses(parts.hostname, port) if not _public(a)]
    if refused:
        raise ValidationError(
            _(
                "The target URL's host resolves to %(addresses)s: a private, loopback or "
                "reserved address cannot receive webhooks."
            )
            % {"addresses": ", ".join(refused)}
        )
