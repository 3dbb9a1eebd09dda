"""The size facet: bands of learning size, in credits, with hours counted in.

HKQF and RQF credits are both 10 notional learning hours, so one band set serves both
registers: an entry's size is its credits, or its notional hours / 10 when it states only
hours. The bands follow what a learner tells apart: a short course (up to 3 credits, 30
hours), a micro-credential or award (4-15), a certificate (16-60), a diploma or a year of
study (61-120), and longer programmes. Each band runs from just above the previous bound
up to and including its own ("4-15" holds 3.5 as well as 15).
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Case, DecimalField, F, Q, Value, When
from django.db.models.functions import Cast, Coalesce
from django.db.models.lookups import GreaterThan, LessThanOrEqual
from django.utils.translation import gettext_lazy as _

from config.types import StrOrPromise

HOURS_PER_CREDIT = 10


@dataclass(frozen=True)
class SizeBand:
    value: str
    above: int | None  # credits, exclusive
    up_to: int | None  # credits, inclusive
    label: StrOrPromise


SIZE_BANDS: tuple[SizeBand, ...] = (
    SizeBand("up-to-3", None, 3, _("Up to 3 credits")),
    SizeBand("4-15", 3, 15, _("4–15 credits")),
    SizeBand("16-60", 15, 60, _("16–60 credits")),
    SizeBand("61-120", 60, 120, _("61–120 credits")),
    SizeBand("over-120", 120, None, _("Over 120 credits")),
)
SIZE_CHOICES = [(band.value, band.label) for band in SIZE_BANDS]


def size_in_credits() -> Coalesce:
    """An entry's size in credits: its credits, else its notional hours / 10 (NULL if neither)."""
    decimal: DecimalField = DecimalField(max_digits=9, decimal_places=1)
    hours = Cast(F("notional_hours"), decimal) / Value(Decimal(HOURS_PER_CREDIT))
    return Coalesce(F("credits"), hours, output_field=decimal)


def _in_band(band: SizeBand) -> Q:
    size = size_in_credits()
    condition = Q()
    if band.above is not None:
        condition &= Q(GreaterThan(size, Decimal(band.above)))
    if band.up_to is not None:
        condition &= Q(LessThanOrEqual(size, Decimal(band.up_to)))
    return condition


def size_band() -> Case:
    """The band an entry falls in, as its value (NULL without credits or hours)."""
    size = size_in_credits()
    return Case(
        *(
            When(LessThanOrEqual(size, Decimal(band.up_to)), then=Value(band.value))
            for band in SIZE_BANDS
            if band.up_to is not None
        ),
        When(
            Q(credits__isnull=False) | Q(notional_hours__isnull=False),
            then=Value(SIZE_BANDS[-1].value),
        ),
        default=None,
    )


def size_q(values: list[str]) -> Q:
    """Entries in any of the bands named by `values`."""
    condition = Q(pk__in=[])
    for band in SIZE_BANDS:
        if band.value in values:
            condition |= _in_band(band)
    return condition


def size_sort_sql(column: str) -> str:
    """SQL ordering band values by size, for the facet's options."""
    values = ", ".join(f"'{band.value}'" for band in SIZE_BANDS)
    return f"array_position(ARRAY[{values}], {column}::text)::text"
