"""Fail closed: every route answers each of seven personas as the permission matrix says.

The routes come from the resolver itself, so a route added without a row in
``matrix.MATRIX`` fails here by name, and so does a row left behind by a removed route.
"""

import copy
import re

import pytest
from django.db import transaction
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from .matrix import ANON, IN, LOGIN, MATRIX, PUBLIC_RECORD_ROUTES, REDIRECT, TENANT_ROUTES
from .objects import ROUTE_KWARGS
from .routes import all_routes, named_routes
from .world import PERSONAS, World, build_world

PAGE_METHODS = ("get", "post")
LET_IN = {200, 201, 202, 204, 400, 409, 415}


def _methods(route) -> tuple[str, ...]:
    return route.api_methods() if route.is_api else PAGE_METHODS


def _is_login(response: HttpResponse) -> bool:
    return response.status_code == 302 and "/login/" in response.headers.get("Location", "")


def _matches(expected, response: HttpResponse) -> bool:
    status = response.status_code
    if expected == ANON:
        return status in (401, 403)
    if expected == LOGIN:
        return _is_login(response)
    if expected == REDIRECT:
        return status == 302 and not _is_login(response)
    if expected == IN:
        return status in LET_IN or (status == 302 and not _is_login(response))
    return status == expected


def _describe(response: HttpResponse) -> str:
    if response.status_code in (301, 302):
        return f"{response.status_code} to {response.headers.get('Location')}"
    return str(response.status_code)


def _clients(world: World) -> dict[str, Client]:
    clients = {}
    for persona in PERSONAS:
        client = Client(raise_request_exception=False)
        if world.user(persona) is not None:
            client.force_login(world.user(persona))
        clients[persona] = client
    return clients


def _ask(client: Client, method: str, url: str, *, api: bool) -> HttpResponse:
    """Send one request with an empty body, and undo whatever it wrote (a sign-out too)."""
    cookies = copy.deepcopy(client.cookies)
    with transaction.atomic():
        if method == "get":
            response = client.get(url)
        elif api:
            response = client.generic(method.upper(), url, "{}", "application/json")
        else:
            response = client.post(url, {})
        transaction.set_rollback(True)
    client.cookies = cookies
    return response


def test_every_route_has_an_expectation_for_every_persona():
    """A new route, or a new method on a route, needs its row before this passes."""
    routes = named_routes()
    unnamed = sorted(
        route.pattern for route in all_routes() if not route.is_admin and not route.name
    )
    assert not unnamed, f"Name these routes so the permission matrix can list them: {unnamed}"
    missing = sorted(set(routes) - set(MATRIX))
    assert not missing, (
        "These routes have no expectations in tests/permissions/matrix.py; add a row "
        f"saying what each of the {len(PERSONAS)} personas gets: {missing}"
    )
    stale = sorted(set(MATRIX) - set(routes))
    assert not stale, f"The permission matrix lists routes that no longer exist: {stale}"
    problems = []
    for name, route in sorted(routes.items()):
        methods = _methods(route)
        if set(MATRIX[name]) != set(methods):
            problems.append(
                f"{name}: the route takes {list(methods)}, rows say {list(MATRIX[name])}"
            )
        for method, cells in MATRIX[name].items():
            if len(cells) != len(PERSONAS):
                problems.append(f"{name} {method.upper()}: {len(cells)} cells, not {len(PERSONAS)}")
        if re.search(r"<|\(\?P<", route.pattern) and name not in ROUTE_KWARGS:
            problems.append(f"{name}: an object route with no object in objects.ROUTE_KWARGS")
    assert not problems, "\n".join(problems)


def test_another_providers_objects_are_404_in_the_matrix():
    """On every object route of provider A, provider B's administrator learns nothing."""
    b_admin, a_admin = PERSONAS.index("b_admin"), PERSONAS.index("a_admin")
    leaks = [
        f"{name} {method.upper()}: provider B admin gets {cells[b_admin]}"
        for name in sorted(TENANT_ROUTES)
        for method, cells in MATRIX[name].items()
        if cells[b_admin] != 404
        and not (cells[b_admin] == cells[a_admin] and cells[a_admin] in (403, 405, LOGIN))
    ]
    assert not leaks, "\n".join(leaks)
    assert set(ROUTE_KWARGS) >= TENANT_ROUTES


@pytest.mark.django_db
def test_every_route_answers_every_persona_as_the_matrix_says():
    """GET on every route, and every write method the API takes, for all seven personas."""
    world = build_world()
    clients = _clients(world)
    routes = named_routes()
    wrong = []
    for name in sorted(MATRIX):
        route = routes[name]
        url = reverse(name, kwargs=ROUTE_KWARGS[name](world) if name in ROUTE_KWARGS else None)
        for method, cells in MATRIX[name].items():
            for persona, expected in zip(PERSONAS, cells, strict=True):
                response = _ask(clients[persona], method, url, api=route.is_api)
                if not _matches(expected, response):
                    wrong.append(
                        f"{name} {method.upper()} {url} as {persona}: expected {expected}, "
                        f"got {_describe(response)}"
                    )
    assert not wrong, f"{len(wrong)} answers differ from the matrix:\n" + "\n".join(wrong)


@pytest.mark.django_db
@pytest.mark.parametrize("name", PUBLIC_RECORD_ROUTES)
def test_public_record_routes_are_404_for_a_draft_outside_its_provider(name):
    world = build_world()
    kwargs = ROUTE_KWARGS[name](world)
    key = "registration_number" if "registration_number" in kwargs else "pk"
    kwargs[key] = getattr(world.draft, key)
    url = reverse(name, kwargs=kwargs)
    clients = _clients(world)
    for persona in ("anonymous", "b_admin", "reviewer"):
        assert clients[persona].get(url).status_code == 404, (name, persona)


def _admin_url(pattern: str) -> str:
    """A concrete URL for an admin route pattern: ids 1, the first app label of a choice."""
    url = pattern.replace("^", "").replace("$", "")
    url = re.sub(r"<(?:\w+:)?\w+>", "1", url)
    url = re.sub(r"\(\?P<\w+>\(?([\w-]+)[^)]*\)\)?", r"\1", url)
    url = re.sub(r"\(\?P<\w+>\.\*\)", "anything/", url)
    return "/" + url


@pytest.mark.django_db
def test_the_admin_is_staff_only():
    """Every admin route sends each persona who is not staff to the admin's sign-in page."""
    world = build_world()
    clients = _clients(world)
    # Signing in and out of the admin is the door itself.
    admin_routes = [
        route
        for route in all_routes()
        if route.is_admin and route.name not in ("admin:login", "admin:logout")
    ]
    assert len(admin_routes) > 50
    open_to_others = []
    for route in admin_routes:
        url = _admin_url(route.pattern)
        for persona in PERSONAS:
            if persona == "registry_admin":
                continue
            response = clients[persona].get(url)
            location = response.headers.get("Location", "")
            if not (response.status_code == 302 and "/admin/login/" in location):
                open_to_others.append(f"{url} as {persona}: {_describe(response)}")
    assert not open_to_others, "\n".join(open_to_others)
    assert clients["registry_admin"].get(reverse("admin:index")).status_code == 200
