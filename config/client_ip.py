"""The client's address for lockouts and rate limits: REMOTE_ADDR unless a trusted proxy says.

A forwarded-for header is only believed when TRUSTED_PROXY_COUNT proxies are known to stand
in front of the application; each appends the address it saw, so the entry that many places
from the right is the one the outermost trusted proxy received the request from. Anything to
its left was written by the client and is ignored.
"""

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """Return the address the request came from, as the configured proxies report it."""
    remote_addr = request.META.get("REMOTE_ADDR", "")
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote_addr
    forwarded = request.META.get(settings.TRUSTED_PROXY_HEADER, "")
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    if len(hops) < count:
        # Fewer hops than proxies: the request did not come through all of them.
        return remote_addr
    return hops[-count]
