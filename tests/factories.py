"""factory_boy factories for the registry's models; reference levels come from the loaded data."""

import datetime

import factory
from django.contrib.auth import get_user_model
from django.core.management import call_command

from credentials.choices import CredentialKind, CredentialStatus
from credentials.models import AccreditationRecord, Credential
from providers.choices import MembershipRole, ProviderType
from providers.models import Provider, ProviderMembership
from qa_reviews.choices import ReviewType
from qa_reviews.models import Review, ReviewStandard, ReviewStandardSet
from qualifications.models import Level


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    password = factory.django.Password("correct horse battery staple")


class ProviderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Provider

    slug = factory.Sequence(lambda n: f"provider-{n}")
    name_en = factory.Sequence(lambda n: f"Institute of Learning {n}")
    name_zh = factory.Sequence(lambda n: f"學習學院{n}")
    jurisdiction = "HK"
    provider_type = ProviderType.SELF_FINANCING


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProviderMembership

    provider = factory.SubFactory(ProviderFactory)
    user = factory.SubFactory(UserFactory)
    role = MembershipRole.ADMIN


def hkqf_level(code: str = "4") -> Level:
    """Return an HKQF level, loading the reference data if a flushed database lost it."""
    level = Level.objects.filter(framework__code="HKQF", code=code).first()
    if level is None:
        call_command("load_reference_data", verbosity=0)
        level = Level.objects.get(framework__code="HKQF", code=code)
    return level


class CredentialFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Credential

    # Serials from 800000: tests name their own numbers below that (24/000123/L4, 24/000201/L4),
    # and a sequence that reached one of them mid-session collided with it.
    registration_number = factory.Sequence(lambda n: f"24/{800000 + n:06d}/L4")
    kind = CredentialKind.MICRO_CREDENTIAL
    title_en = factory.Sequence(lambda n: f"Certificate in Applied Data Analytics {n}")
    title_zh = factory.Sequence(lambda n: f"應用數據分析證書{n}")
    provider = factory.SubFactory(ProviderFactory)
    level = factory.LazyFunction(hkqf_level)
    credits = 6
    notional_hours = 60
    valid_from = datetime.date(2025, 9, 1)
    valid_to = datetime.date(2028, 8, 31)
    status = CredentialStatus.REGISTERED


class AccreditationRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AccreditationRecord

    credential = factory.SubFactory(CredentialFactory)
    accreditor = "HKCAAVQ"
    reference = factory.Sequence(lambda n: f"AA/{n:05d}")
    valid_from = datetime.date(2025, 9, 1)
    valid_to = datetime.date(2028, 8, 31)


class ReviewStandardSetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReviewStandardSet

    name = "Registry review standards"
    version = factory.Sequence(lambda n: n + 1)
    effective_from = datetime.date(2025, 1, 1)


class ReviewStandardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReviewStandard

    standard_set = factory.SubFactory(ReviewStandardSetFactory)
    code = factory.Sequence(lambda n: f"standard-{n}")
    ordinal = factory.Sequence(lambda n: n + 1)
    title_en = factory.Sequence(lambda n: f"Standard {n}")


class ReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Review

    credential = factory.SubFactory(CredentialFactory, status=CredentialStatus.SUBMITTED)
    review_type = ReviewType.INITIAL
    standard_set = factory.SubFactory(ReviewStandardSetFactory)
    due_date = datetime.date(2026, 12, 31)
    opened_by = factory.SubFactory(UserFactory, is_staff=True)
