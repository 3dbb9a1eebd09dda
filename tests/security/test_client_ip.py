"""The client address comes from REMOTE_ADDR, or from a configured number of trusted proxies."""

from django.test import RequestFactory, override_settings

from config.client_ip import client_ip

FORWARDED = "198.51.100.1, 203.0.113.5, 10.0.0.2"


def _request(**meta):
    return RequestFactory().get("/", REMOTE_ADDR="10.0.0.3", **meta)


def test_no_trusted_proxy_ignores_forwarded_for():
    assert client_ip(_request(HTTP_X_FORWARDED_FOR=FORWARDED)) == "10.0.0.3"


@override_settings(TRUSTED_PROXY_COUNT=2)
def test_two_trusted_proxies_take_the_address_the_outer_one_saw():
    """The client wrote 198.51.100.1 itself; the outer proxy saw 203.0.113.5."""
    assert client_ip(_request(HTTP_X_FORWARDED_FOR=FORWARDED)) == "203.0.113.5"


@override_settings(TRUSTED_PROXY_COUNT=2)
def test_too_few_hops_falls_back_to_the_peer():
    assert client_ip(_request(HTTP_X_FORWARDED_FOR="203.0.113.5")) == "10.0.0.3"


@override_settings(TRUSTED_PROXY_COUNT=1, TRUSTED_PROXY_HEADER="HTTP_X_REAL_IP")
def test_the_header_is_configurable():
    request = _request(HTTP_X_REAL_IP="203.0.113.8", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert client_ip(request) == "203.0.113.8"
