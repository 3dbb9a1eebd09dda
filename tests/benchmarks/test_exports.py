"""The export timer streams a real export to its end and counts its rows."""

import pytest
from django.test import Client

from benchmarks.exports import format_exports, time_export
from tests.factories import CredentialFactory

pytestmark = pytest.mark.django_db


def test_an_export_is_read_to_its_end_and_counted():
    for _ in range(3):
        CredentialFactory()

    timing = time_export(Client(), "whole register", "status=all&format=csv")

    assert timing.rows == 3
    assert 0 < timing.first_row_ms <= timing.seconds * 1000
    assert "whole register" in format_exports([timing])


def test_a_failing_export_is_not_timed():
    with pytest.raises(RuntimeError, match="answered 400"):
        time_export(Client(), "bad", "credits_min=many&format=csv")
