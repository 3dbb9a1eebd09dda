"""Follows of a record or a search by e-mail, and the notifications sent for them.

An address is kept only while it is needed: a pending follow keeps it until it is confirmed
or expires, an active one until it is unsubscribed. Then ``email`` and ``address_key`` are
erased; the row stays (what was followed, when) so its notifications keep their follow.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .choices import FOLLOW_LANGUAGES, DigestState, FollowState


class Follow(models.Model):
    """One address following one public record or one saved search."""

    email = models.EmailField(_("e-mail address"), max_length=254, blank=True)
    # Keyed hash of the normalised address: groups an address's follows without reading
    # addresses, and the manage link names it instead of the address (follows.addresses).
    address_key = models.CharField(_("address key"), max_length=64, blank=True, db_index=True)
    language = models.CharField(_("language"), max_length=8, choices=FOLLOW_LANGUAGES)
    credential = models.ForeignKey(
        "credentials.Credential",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="follows",
        verbose_name=_("record"),
    )
    # The search's parameters as a normalised query string (follows.searches).
    search_query = models.CharField(_("search"), max_length=2000, blank=True)
    state = models.CharField(
        _("state"), max_length=16, choices=FollowState.choices, default=FollowState.PENDING
    )
    created_at = models.DateTimeField(_("asked at"), auto_now_add=True, editable=False)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    # The change-feed position up to which events have been weighed for this follow.
    notified_through = models.BigIntegerField(_("notified through position"), default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("follow")
        verbose_name_plural = _("follows")
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=FollowState.values),
                name="%(app_label)s_%(class)s_state_valid",
            ),
            models.CheckConstraint(
                condition=(Q(credential__isnull=False) & Q(search_query=""))
                | (Q(credential__isnull=True) & ~Q(search_query="")),
                name="%(app_label)s_%(class)s_record_or_search",
            ),
            # Live follows keep their address; ended ones have none.
            models.CheckConstraint(
                condition=(
                    Q(state__in=[FollowState.PENDING, FollowState.ACTIVE])
                    & ~Q(email="")
                    & ~Q(address_key="")
                )
                | (
                    Q(state__in=[FollowState.UNSUBSCRIBED, FollowState.EXPIRED])
                    & Q(email="")
                    & Q(address_key="")
                ),
                name="%(app_label)s_%(class)s_address_while_live",
            ),
            models.UniqueConstraint(
                fields=["address_key", "credential"],
                condition=Q(state=FollowState.ACTIVE, credential__isnull=False),
                name="%(app_label)s_%(class)s_one_active_per_record",
            ),
            models.UniqueConstraint(
                fields=["address_key", "search_query"],
                condition=Q(state=FollowState.ACTIVE, credential__isnull=True),
                name="%(app_label)s_%(class)s_one_active_per_search",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "notified_through"], name="follow_due"),
        ]

    def __str__(self) -> str:
        target = f"record {self.credential_id}" if self.credential_id else self.search_query
        return f"{self.pk}: {target} ({self.state})"


class FollowDigest(models.Model):
    """One e-mail to one address, telling it about one or more notifications.

    Written with its notifications in the transaction that advances the follows' cursors;
    sent afterwards, so a crash between the two sends it late, never not at all.
    """

    address_key = models.CharField(_("address key"), max_length=64, blank=True)
    language = models.CharField(_("language"), max_length=8, choices=FOLLOW_LANGUAGES)
    state = models.CharField(
        _("state"), max_length=16, choices=DigestState.choices, default=DigestState.PENDING
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, editable=False)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("follow digest")
        verbose_name_plural = _("follow digests")
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=DigestState.values),
                name="%(app_label)s_%(class)s_state_valid",
            ),
            models.CheckConstraint(
                condition=~Q(state=DigestState.SENT) | Q(sent_at__isnull=False),
                name="%(app_label)s_%(class)s_sent_has_time",
            ),
        ]
        indexes = [models.Index(fields=["state", "created_at"], name="followdigest_due")]

    def __str__(self) -> str:
        return f"digest {self.pk} ({self.state})"


class FollowNotification(models.Model):
    """One change event told to one follow: at most one per pair, whatever runs twice."""

    follow = models.ForeignKey(
        Follow, on_delete=models.PROTECT, related_name="notifications", verbose_name=_("follow")
    )
    event = models.ForeignKey(
        "changes.ChangeEvent",
        on_delete=models.PROTECT,
        related_name="follow_notifications",
        verbose_name=_("event"),
    )
    digest = models.ForeignKey(
        FollowDigest,
        on_delete=models.PROTECT,
        related_name="notifications",
        verbose_name=_("digest"),
    )
    # For a search: the event brought the record into the search's results.
    new_match = models.BooleanField(_("new match"), default=False)

    class Meta:
        ordering = ["event_id"]
        verbose_name = _("follow notification")
        verbose_name_plural = _("follow notifications")
        constraints = [
            models.UniqueConstraint(
                fields=["follow", "event"], name="%(app_label)s_%(class)s_once_per_event"
            ),
        ]

    def __str__(self) -> str:
        return f"follow {self.follow_id} × #{self.event_id}"
