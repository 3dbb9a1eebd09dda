"""The database health check looks at the socket: no query for a healthy session, and a session
the server ended is noticed and replaced before the next query."""

import select
import time
from unittest import mock

import psycopg
import pytest
from django.db import connections

pytestmark = pytest.mark.django_db


@pytest.fixture
def own_connection():
    """A connection of its own to the test database, outside the test's transaction."""
    wrapper = connections.create_connection("default")
    wrapper.ensure_connection()
    yield wrapper
    wrapper.close()


def _ended_by_the_server(wrapper) -> None:
    pid = wrapper.connection.info.backend_pid
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    # The goodbye arrives asynchronously.
    deadline = time.monotonic() + 10
    while not select.select([wrapper.connection.fileno()], [], [], 0.1)[0]:
        assert time.monotonic() < deadline, "the terminated session's socket never turned readable"


def test_a_healthy_session_is_usable_without_a_query(own_connection):
    refuse = AssertionError("the health check sent a query")
    with (
        mock.patch.object(psycopg.Connection, "cursor", side_effect=refuse),
        mock.patch.object(psycopg.Connection, "execute", side_effect=refuse),
    ):
        assert own_connection.is_usable() is True


def test_a_session_the_server_ended_is_replaced_before_the_next_query(own_connection):
    old_pid = own_connection.connection.info.backend_pid
    _ended_by_the_server(own_connection)

    assert own_connection.is_usable() is False
    own_connection.health_check_enabled = True
    own_connection.health_check_done = False
    with own_connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        new_pid = cursor.fetchone()[0]

    assert new_pid != old_pid


def test_a_closed_connection_is_not_usable(own_connection):
    own_connection.connection.close()

    assert own_connection.is_usable() is False


def test_a_healthy_session_with_something_pending_is_asked_and_kept(own_connection):
    """A readable socket is not proof of a goodbye: it gets SELECT 1 before being dropped."""
    own_connection.connection.execute("LISTEN registry_health_check")
    settings = own_connection.settings_dict
    with psycopg.connect(
        dbname=settings["NAME"],
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        user=settings["USER"] or None,
        password=settings["PASSWORD"] or None,
        autocommit=True,
    ) as other:
        other.execute("NOTIFY registry_health_check")
    deadline = time.monotonic() + 10
    while not select.select([own_connection.connection.fileno()], [], [], 0.1)[0]:
        assert time.monotonic() < deadline, "the notification never arrived"

    assert own_connection.is_usable() is True
