"""Public pages for following by e-mail; no account needed, every form CSRF-protected.

The unsubscribe and leave URLs also take a bare POST without a CSRF token, as mail clients
send it for one-click unsubscribe (RFC 8058); a GET only shows a button, so a link scanner
that opens every link in a message ends nothing.
"""

from smtplib import SMTPException

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from config.forms import add_service_errors
from config.throttling import RegistryRateThrottle, too_many_requests
from credentials.choices import PUBLIC_STATUSES
from credentials.models import Credential

from .choices import FollowState
from .emails import follow_subject, follow_target_url
from .forms import AddressForm, FollowSearchForm
from .models import Follow
from .searches import search_check, search_describe, search_normalise
from .services import (
    LinkUsed,
    address_from_manage_link,
    follow_confirm,
    follow_from_unsubscribe_link,
    follow_manage_link_send,
    follow_request,
    follow_unsubscribe,
    follow_unsubscribe_address,
    follows_of_address,
)
from .tokens import CONFIRM, LEAVE, UNSUBSCRIBE, LinkError, link_make, link_read

THROTTLE_SCOPE = "follow"


def _throttled(request: HttpRequest) -> HttpResponse | None:
    """Sign-ups and manage-link requests per client address (per user when signed in)."""
    throttle = RegistryRateThrottle(THROTTLE_SCOPE)
    if not throttle.allow_request(request, None):
        return too_many_requests(request, throttle.wait())
    return None


def _message(
    request: HttpRequest, *, title: str, text: str, status: int = 200, **extra
) -> HttpResponse:
    return render(
        request, "follows/message.html", {"title": title, "text": text, **extra}, status=status
    )


def _link_problem(request: HttpRequest, error: LinkError) -> HttpResponse:
    if error.expired:
        return _message(
            request,
            title=_("This link has expired"),
            text=_("Ask again from the record or search page; a new link will be sent."),
            status=410,
        )
    return _message(
        request,
        title=_("This link is not valid"),
        text=_("Copy the whole link from the e-mail; it may have been cut short."),
        status=404,
    )


def _cannot_send(request: HttpRequest) -> HttpResponse:
    return _message(
        request,
        title=_("E-mail cannot be sent just now"),
        text=_("Nothing was saved. Please try again in a few minutes."),
        status=503,
    )


def _ask(request: HttpRequest, form, **target) -> HttpResponse | None:
    """Send the confirmation; None with the form's errors set if the request was refused."""
    try:
        follow_request(email=form.cleaned_data["email"], language=get_language(), **target)
    except ValidationError as error:
        add_service_errors(form, error)
        return None
    except (SMTPException, OSError):
        return _cannot_send(request)
    # The same answer whether the address was new, already following, or at its limit.
    return _message(
        request,
        title=_("Check your e-mail"),
        text=_(
            "If the address can receive e-mail, a confirmation link is on its way. Nothing "
            "else is sent until you confirm."
        ),
    )


@require_http_methods(["GET", "POST"])
def follow_record(request: HttpRequest, pk: int) -> HttpResponse:
    credential = get_object_or_404(Credential.objects.filter(status__in=PUBLIC_STATUSES), pk=pk)
    form = AddressForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if limited := _throttled(request):
            return limited
        if form.is_valid() and (done := _ask(request, form, credential=credential)):
            return done
        status = 400
    return render(
        request,
        "follows/follow.html",
        {"form": form, "credential": credential, "target": credential.registration_number},
        status=status,
    )


def _search_errors(query: str) -> list[str]:
    if not query:
        return [
            _(
                "Search or choose at least one filter first: a follow tells you about one "
                "search. For every change in the register, use the Atom feed or the change feed."
            )
        ]
    # The search's own messages lead with the field's label ("Minimum credits: …").
    return [message for messages in search_check(query).values() for message in messages]


@require_http_methods(["GET", "POST"])
def follow_search(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        if limited := _throttled(request):
            return limited
        form = FollowSearchForm(request.POST)
        query = search_normalise(QueryDict(request.POST.get("query", "")))
    else:
        query = search_normalise(request.GET)
        form = FollowSearchForm(initial={"query": query})
    errors = _search_errors(query)
    # Arriving without a search is not a mistake yet; sending one without it is.
    status = 400 if errors and (query or request.method == "POST") else 200
    if request.method == "POST" and not errors:
        if form.is_valid() and (done := _ask(request, form, search_query=query)):
            return done
        status = 400
    return render(
        request,
        "follows/follow.html",
        {
            "form": form,
            "search_errors": errors,
            "query": query,
            "target": search_describe(query) if query else "",
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button (a link scanner confirms nothing); POST confirms, once."""
    try:
        pk = link_read(CONFIRM, token)
        follow = Follow.objects.select_related("credential").filter(pk=pk).first()
        if follow is None:
            raise LinkError(expired=False)
        if request.method == "POST":
            follow = follow_confirm(token=token)
    except LinkError as error:
        return _link_problem(request, error)
    except LinkUsed:
        return _message(
            request,
            title=_("This link was already used"),
            text=_("The follow it confirms has started, or has been ended since."),
            status=410,
        )
    if request.method == "GET":
        if follow.state == FollowState.EXPIRED:
            return _link_problem(request, LinkError(expired=True))
        if follow.state != FollowState.PENDING:
            return _message(
                request,
                title=_("This link was already used"),
                text=_("The follow it confirms has started, or has been ended since."),
                status=410,
            )
        return render(
            request,
            "follows/confirm.html",
            {"follow": follow, "subject": follow_subject(follow), "token": token},
        )
    return _message(
        request,
        title=_("You are following %(subject)s") % {"subject": follow_subject(follow)},
        text=_("You will get one e-mail when something you follow changes, with a link to stop."),
        link=follow_target_url(follow),
        unsubscribe_token=link_make(UNSUBSCRIBE, follow.pk),
    )


@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        follow = follow_from_unsubscribe_link(token)
    except LinkError as error:
        return _link_problem(request, error)
    subject = follow_subject(follow)
    if request.method == "POST":
        follow_unsubscribe(follow=follow)
        return _message(
            request,
            title=_("Unsubscribed"),
            text=_("You no longer follow %(subject)s, and your address was erased from it.")
            % {"subject": subject},
        )
    if follow.state not in (FollowState.PENDING, FollowState.ACTIVE):
        return _message(
            request,
            title=_("Unsubscribed"),
            text=_("This follow has already ended; nothing more is sent for it."),
        )
    return render(request, "follows/unsubscribe.html", {"subject": subject, "action_token": token})


@csrf_exempt
@require_http_methods(["GET", "POST"])
def leave(request: HttpRequest, token: str) -> HttpResponse:
    """End every follow of the address a digest went to: its List-Unsubscribe URL."""
    try:
        key = link_read(LEAVE, token)
    except LinkError as error:
        return _link_problem(request, error)
    if not isinstance(key, str):
        return _link_problem(request, LinkError(expired=False))
    if request.method == "POST":
        follow_unsubscribe_address(key=key)
        return _message(
            request,
            title=_("Unsubscribed"),
            text=_("This address follows nothing on the register any more, and was erased."),
        )
    return render(request, "follows/leave.html", {"token": token})


@require_http_methods(["GET", "POST"])
def manage(request: HttpRequest) -> HttpResponse:
    """Ask for a link to everything an address follows."""
    form = AddressForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if limited := _throttled(request):
            return limited
        if form.is_valid():
            try:
                follow_manage_link_send(email=form.cleaned_data["email"], language=get_language())
            except ValidationError as error:
                add_service_errors(form, error)
            except (SMTPException, OSError):
                return _cannot_send(request)
            else:
                return _message(
                    request,
                    title=_("Check your e-mail"),
                    text=_(
                        "If this address follows anything on the register, a link to manage "
                        "it is on its way."
                    ),
                )
        status = 400
    return render(request, "follows/manage.html", {"form": form}, status=status)


@require_http_methods(["GET"])
def manage_address(request: HttpRequest, token: str) -> HttpResponse:
    try:
        key = address_from_manage_link(token)
    except LinkError as error:
        return _link_problem(request, error)
    follows = [
        {
            "subject": follow_subject(follow),
            "url": follow_target_url(follow),
            "pending": follow.state == FollowState.PENDING,
            "is_search": not follow.credential_id,
            "token": link_make(UNSUBSCRIBE, follow.pk),
        }
        for follow in follows_of_address(key)
    ]
    return render(
        request,
        "follows/manage_address.html",
        {"follows": follows, "leave_token": link_make(LEAVE, key)},
    )
