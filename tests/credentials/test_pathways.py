"""Providers define stacking pathways and credit-recognition agreements."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import modelform_factory
from django.urls import reverse
from django.utils import translation

from credentials.choices import CredentialKind, CredentialStatus
from credentials.models import PathwayComponent
from credentials.pathways import (
    pathway_add_component,
    pathway_create,
    recognition_agreement_create,
    recognition_agreement_end,
)
from tests.factories import CredentialFactory
from tests.personas import make_personas

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    personas = make_personas()
    award = CredentialFactory(
        provider=personas.provider_a,
        kind=CredentialKind.QUALIFICATION,
        title_en="Professional Diploma in FinTech",
        credits=60,
        notional_hours=600,
    )
    module = CredentialFactory(provider=personas.provider_a, credits=15, notional_hours=150)
    other = CredentialFactory(provider=personas.provider_b, credits=6, title_en="Blockchain Basics")
    return personas, award, module, other


def test_micro_credentials_stack_into_an_award(world):
    personas, award, module, _other = world
    pathway = pathway_create(
        actor=personas.a_admin, award=award, name_en="FinTech stack", credits_required=60
    )

    component = pathway_add_component(
        actor=personas.a_editor, pathway=pathway, credential=module, credits_counted=15
    )

    assert list(award.pathways_as_award.get().components.all()) == [module]
    assert component.credits_counted == 15


def test_a_component_cannot_count_more_credits_than_it_carries(world):
    personas, award, module, _other = world
    pathway = pathway_create(
        actor=personas.a_admin, award=award, name_en="FinTech stack", credits_required=60
    )

    with pytest.raises(ValidationError, match="carries only 15 credits"):
        pathway_add_component(
            actor=personas.a_admin, pathway=pathway, credential=module, credits_counted=20
        )


def test_a_component_cannot_count_more_credits_than_the_award_needs(world):
    """A 15-credit module counting 15 toward a 3-credit award is refused, in both languages."""
    personas, _award, module, _other = world
    small_award = CredentialFactory(
        provider=personas.provider_a, kind=CredentialKind.QUALIFICATION, credits=3
    )
    pathway = pathway_create(
        actor=personas.a_admin, award=small_award, name_en="Short stack", credits_required=3
    )

    with pytest.raises(ValidationError, match="The award needs only 3 credits"):
        pathway_add_component(
            actor=personas.a_admin, pathway=pathway, credential=module, credits_counted=15
        )
    with translation.override("zh-hant"), pytest.raises(ValidationError) as refused:
        pathway_add_component(
            actor=personas.a_admin, pathway=pathway, credential=module, credits_counted=15
        )
    assert "3" in str(refused.value) and "學分" in str(refused.value)
    assert not pathway.memberships.exists()

    component = pathway_add_component(
        actor=personas.a_admin, pathway=pathway, credential=module, credits_counted=3
    )
    assert component.credits_counted == 3


def test_a_credential_without_credits_cannot_count_credits(world):
    personas, award, _module, _other = world
    uncredited = CredentialFactory(provider=personas.provider_a, credits=None, notional_hours=None)
    pathway = pathway_create(
        actor=personas.a_admin, award=award, name_en="FinTech stack", credits_required=60
    )

    with pytest.raises(ValidationError, match="carries no credits on the register"):
        pathway_add_component(
            actor=personas.a_admin, pathway=pathway, credential=uncredited, credits_counted=5
        )
    assert not pathway.memberships.exists()


def test_the_admin_form_refuses_the_same_credit_rules(world):
    """The model's own validation holds the rule, so a plain ModelForm (the admin) refuses it."""
    personas, _award, module, _other = world
    small_award = CredentialFactory(
        provider=personas.provider_a, kind=CredentialKind.QUALIFICATION, credits=3
    )
    pathway = pathway_create(
        actor=personas.a_admin, award=small_award, name_en="Short stack", credits_required=3
    )
    form_class = modelform_factory(
        PathwayComponent, fields=["pathway", "credential", "credits_counted", "is_required"]
    )
    form = form_class(
        data={"pathway": pathway.pk, "credential": module.pk, "credits_counted": "15"}
    )

    assert not form.is_valid()
    assert form.errors["credits_counted"] == [
        "The award needs only 3 credits; a component cannot count more toward it."
    ]


def test_pathways_belong_to_the_awarding_provider(world):
    personas, award, _module, _other = world

    with pytest.raises(PermissionDenied):
        pathway_create(actor=personas.b_admin, award=award, name_en="Hijack", credits_required=5)


def test_an_award_cannot_stack_into_itself_or_need_more_than_it_carries(world):
    personas, award, _module, _other = world
    with pytest.raises(ValidationError, match="more credits than its award carries"):
        pathway_create(actor=personas.a_admin, award=award, name_en="Big", credits_required=90)
    pathway = pathway_create(
        actor=personas.a_admin, award=award, name_en="FinTech stack", credits_required=60
    )

    with pytest.raises(ValidationError, match="cannot stack into itself"):
        pathway_add_component(
            actor=personas.a_admin, pathway=pathway, credential=award, credits_counted=1
        )


def test_another_providers_draft_cannot_be_stacked(world):
    personas, award, _module, _other = world
    draft = CredentialFactory(provider=personas.provider_b, status=CredentialStatus.DRAFT)
    pathway = pathway_create(
        actor=personas.a_admin, award=award, name_en="FinTech stack", credits_required=60
    )

    with pytest.raises(ValidationError, match="Only registered credentials"):
        pathway_add_component(
            actor=personas.a_admin, pathway=pathway, credential=draft, credits_counted=1
        )


def test_recognition_of_another_providers_credential(world):
    personas, award, _module, other = world

    agreement = recognition_agreement_create(
        actor=personas.a_admin,
        recognising_provider=personas.provider_a,
        credential=other,
        target_credential=award,
        credits_recognised=Decimal(6),
        valid_from=datetime.date(2026, 1, 1),
    )
    ended = recognition_agreement_end(
        actor=personas.a_admin, agreement=agreement, valid_to=datetime.date(2027, 12, 31)
    )

    assert list(other.recognitions.all()) == [agreement]
    assert ended.valid_to == datetime.date(2027, 12, 31)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"credits_recognised": Decimal(7)}, "carries only 6 credits"),
        ({"valid_to": datetime.date(2025, 1, 1)}, "validity_ordered"),
    ],
)
def test_recognition_rules(world, change, message):
    personas, award, _module, other = world
    values = {
        "recognising_provider": personas.provider_a,
        "credential": other,
        "target_credential": award,
        "credits_recognised": Decimal(6),
        "valid_from": datetime.date(2026, 1, 1),
        **change,
    }

    with pytest.raises(ValidationError, match=message):
        recognition_agreement_create(actor=personas.a_admin, **values)


def test_recognition_cannot_target_another_providers_award(world):
    personas, award, _module, _other = world
    third = CredentialFactory(credits=3)

    with pytest.raises(ValidationError, match="your own provider's award"):
        recognition_agreement_create(
            actor=personas.b_admin,
            recognising_provider=personas.provider_b,
            credential=third,
            target_credential=award,
            credits_recognised=Decimal(1),
            valid_from=datetime.date(2026, 1, 1),
        )


def test_workspace_page_builds_a_pathway_and_an_agreement(client, world):
    personas, award, module, other = world
    client.force_login(personas.a_admin)

    client.post(
        reverse("workspace:pathway-new", kwargs={"pk": award.pk}),
        {"name_en": "FinTech stack", "credits_required": "60"},
    )
    pathway = award.pathways_as_award.get()
    client.post(
        reverse(
            "workspace:pathway-component-new", kwargs={"pk": award.pk, "pathway_pk": pathway.pk}
        ),
        {
            "registration_number": module.registration_number.replace("/", ""),
            "credits_counted": "15",
        },
    )
    client.post(
        reverse("workspace:recognition-new", kwargs={"pk": award.pk}),
        {
            "registration_number": other.registration_number,
            "credits_recognised": "6",
            "valid_from": "2026-01-01",
        },
    )

    page = client.get(reverse("workspace:credential", kwargs={"pk": award.pk})).content.decode()
    assert module.title_en in page and "Blockchain Basics" in page
    public = client.get(reverse("credentials:detail", kwargs={"pk": other.pk})).content.decode()
    assert "Professional Diploma in FinTech" in public


def test_workspace_refuses_another_providers_award(client, world):
    personas, award, _module, _other = world
    client.force_login(personas.b_admin)

    response = client.post(
        reverse("workspace:pathway-new", kwargs={"pk": award.pk}),
        {"name_en": "Hijack", "credits_required": "1"},
    )

    assert response.status_code == 404
    assert not award.pathways_as_award.exists()
