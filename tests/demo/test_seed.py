"""The demo seed loads a realistic register and changes nothing when it runs again.

Data: the files in ``demo/data`` (see its README): registry CSVs imported through the
register's import, and JSON for pathways, reviews and accounts.
"""

import datetime
import re
from io import StringIO
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from credentials.choices import CredentialKind, CredentialStatus, QualityMark, StatusSource
from credentials.models import (
    AccreditationRecord,
    Credential,
    CredentialStatusChange,
    Pathway,
    PathwayComponent,
    RecognitionAgreement,
)
from credentials.services import OVERRIDE_PREFIX
from demo.seed import DEMO_DATA_DIR
from providers.choices import MembershipRole, ProviderType
from providers.models import Provider, ProviderMembership
from qa_reviews.choices import (
    ConditionEventKind,
    ConditionState,
    DecisionOutcome,
    ReviewStage,
    ReviewType,
)
from qa_reviews.models import (
    Condition,
    ConditionEvent,
    Decision,
    Judgement,
    Review,
    ReviewAssignment,
    ReviewStandard,
    ReviewStandardSet,
)
from qualifications.models import Framework, Level

HK_PROGRAMME_NUMBER = re.compile(r"^25/JS[0-9A-Z]+/L5$")
OFQUAL_NUMBER = re.compile(r"^\d{3}/\d{4}/[0-9A-Z]$")
# Programming, AI, finance, green finance, fashion, elderly care, architecture, aviation.
TOPIC_BLOCKS = ("0011", "0022", "0033", "0044", "0055", "0066", "0077", "0088")
DEMO_PASSWORDS = {
    "registry-admin": "registry-admin-demo",
    "reviewer": "reviewer-demo",
    "reviewer2": "reviewer2-demo",
    "provider-admin": "provider-admin-demo",
    "provider-editor": "provider-editor-demo",
}
SEEDED_MODELS = [
    Provider,
    ProviderMembership,
    Credential,
    CredentialStatusChange,
    AccreditationRecord,
    Pathway,
    PathwayComponent,
    RecognitionAgreement,
    ReviewStandardSet,
    ReviewStandard,
    Review,
    ReviewAssignment,
    Judgement,
    Decision,
    Condition,
    ConditionEvent,
    Group,
    get_user_model(),
]


def _run_seed(**options) -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


def _snapshot() -> dict[str, object]:
    """Row counts of every seeded model, and each time-stamped row's last change."""
    state: dict[str, object] = {}
    for model in SEEDED_MODELS:
        label = model._meta.label
        state[f"{label} count"] = model.objects.count()
        if any(f.name == "updated_at" for f in model._meta.concrete_fields):
            state[f"{label} updated_at"] = dict(model.objects.values_list("pk", "updated_at"))
    return state


@pytest.mark.django_db
def test_missing_data_dir_is_a_clear_error(tmp_path):
    """A data folder that does not exist is named in the error, and nothing is written."""
    with pytest.raises(CommandError, match=r"Data folder .*nowhere does not exist"):
        _run_seed(data_dir=tmp_path / "nowhere")
    assert not Credential.objects.exists()


@pytest.mark.django_db
def test_data_dir_without_source_files_is_a_clear_error(tmp_path):
    """A data folder without the source files lists the files it lacks."""
    with pytest.raises(
        CommandError, match=r"lacks providers.csv, hk/hk-university-programmes-2025-register.csv"
    ):
        _run_seed(data_dir=tmp_path)


@pytest.mark.django_db
def test_missing_reference_data_is_a_clear_error():
    """Without the HKQF framework loaded the seed refuses and says what to run first."""
    Level.objects.filter(framework__code="HKQF").delete()
    Framework.objects.filter(code="HKQF").delete()
    with pytest.raises(CommandError, match=r"framework HKQF.*load_reference_data"):
        _run_seed(data_dir=DEMO_DATA_DIR)
    assert not Provider.objects.exists()


@pytest.fixture(scope="class")
def seeded(django_db_setup, django_db_blocker):
    """Seed once for the class, inside a transaction that is rolled back afterwards."""
    with django_db_blocker.unblock(), transaction.atomic():
        output = _run_seed(data_dir=DEMO_DATA_DIR)
        yield SimpleNamespace(output=output, today=timezone.localdate())
        transaction.set_rollback(True)


@pytest.mark.django_db
class TestSeededRegister:
    def test_hk_programmes_are_bilingual_hkqf_level_5(self, seeded):
        """All 417 programmes are HKQF 5 with derived numbers and Chinese titles where published."""
        programmes = Credential.objects.filter(
            registration_number__regex=HK_PROGRAMME_NUMBER.pattern
        )
        assert programmes.count() == 417
        assert set(programmes.values_list("level__framework__code", "level__code")) == {
            ("HKQF", "5")
        }
        # The source file has no Chinese title for JS5118 alone.
        assert list(
            programmes.filter(title_zh="").values_list("registration_number", flat=True)
        ) == ["25/JS5118/L5"]
        first = programmes.get(registration_number="25/JS1000/L5")
        assert first.title_zh.startswith("理學士(計算金融及金融科技)")
        assert first.provider.slug == "cityuhk"
        assert first.provider.self_accrediting
        assert first.area_of_study.code == "Business"
        assert first.credits == 480
        assert first.notional_hours == 4800
        assert first.accreditations.get().accreditor == "City University of Hong Kong"
        history = list(first.status_changes.values_list("from_status", "to_status", "source"))
        # The register's import records a new entry's first status from nothing.
        assert history == [("", CredentialStatus.REGISTERED, StatusSource.IMPORT)]

    def test_sssdp_programmes_belong_to_their_operator(self, seeded):
        """Subsidy-scheme rows are filed under the institution that offers them."""
        nursing = Credential.objects.get(registration_number="25/JSSA01/L5")
        assert nursing.title_en == "Bachelor of Nursing (Honours)"
        assert nursing.title_zh == "護理學（榮譽）學士"
        assert nursing.provider.name_en == "Saint Francis University"
        assert nursing.provider.provider_type == ProviderType.SELF_FINANCING

    def test_micro_credentials_span_topics_levels_and_languages(self, seeded):
        """At least 40 bilingual micro-credentials cover the eight topics and HKQF 2-6."""
        micro = Credential.objects.filter(kind=CredentialKind.MICRO_CREDENTIAL)
        assert micro.count() >= 40
        assert set(micro.values_list("level__framework__code", flat=True)) == {"HKQF"}
        assert {"2", "3", "4", "5", "6"} <= set(micro.values_list("level__code", flat=True))
        assert not micro.filter(title_zh="").exists()
        assert micro.filter(quality_marks__contains=[QualityMark.CEF]).exists()
        for credential in micro:
            assert 3 <= credential.credits <= 15
            assert credential.notional_hours == credential.credits * 10
            assert credential.fee_currency == "HKD"
            assert 2 <= len(credential.learning_outcomes_en) <= 4
            assert len(credential.learning_outcomes_zh) == len(credential.learning_outcomes_en)
        # Each topic has its own block of numbers (demo/data/README.md).
        for block in TOPIC_BLOCKS:
            assert micro.filter(registration_number__contains=f"/{block}").count() >= 5, block

    def test_uk_qualifications_carry_real_numbers_and_an_htq(self, seeded):
        """UK rows use real Ofqual numbers with slashes, RQF 4/5, and include an HTQ."""
        uk = Credential.objects.filter(external_register="ofqual")
        assert 30 <= uk.count() <= 60
        assert all(OFQUAL_NUMBER.match(n) for n in uk.values_list("registration_number", flat=True))
        assert set(uk.values_list("level__framework__code", "level__code")) <= {
            ("RQF", "4"),
            ("RQF", "5"),
        }
        htqs = uk.filter(quality_marks__contains=[QualityMark.HTQ])
        assert {"610/2676/1", "610/4163/4"} <= set(
            htqs.values_list("registration_number", flat=True)
        )
        assert uk.filter(quality_marks__contains=[QualityMark.DFE_FUNDED]).exists()
        ncfe = uk.get(registration_number="610/4163/4")
        assert ncfe.provider.ofqual_recognition_number == "RN5156"
        assert ncfe.provider.provider_type == ProviderType.AWARDING_ORGANISATION
        assert ncfe.area_of_study.name_en == "Child development and well-being"

    def test_validity_includes_expired_and_expiring_entries(self, seeded):
        """Some entries have expired and some registered ones expire within 30 and 90 days."""
        today = seeded.today
        expired = Credential.objects.filter(status=CredentialStatus.EXPIRED)
        assert expired.exists()
        assert not expired.filter(valid_to__gte=today).exists()
        registered = Credential.objects.filter(status=CredentialStatus.REGISTERED)
        assert registered.filter(valid_to__range=(today, today + datetime.timedelta(30))).exists()
        assert registered.filter(
            valid_to__range=(today + datetime.timedelta(31), today + datetime.timedelta(90))
        ).exists()
        assert not registered.filter(valid_to__lt=today).exists()
        for status in (CredentialStatus.WITHDRAWN, CredentialStatus.SUSPENDED):
            assert Credential.objects.filter(status=status).exists()

    def test_pathways_and_recognition_agreements(self, seeded):
        """Micro-credentials stack into awards and providers recognise each other's credits."""
        fintech = Pathway.objects.get(award__registration_number="24/009901/L5")
        counted = fintech.memberships.aggregate(total=Sum("credits_counted"))["total"]
        assert counted == fintech.credits_required == 60
        assert Pathway.objects.filter(award__registration_number="610/2676/1").exists()
        assert Pathway.objects.count() >= 3
        agreements = RecognitionAgreement.objects.select_related("credential")
        assert agreements.count() >= 2
        for agreement in agreements:
            assert agreement.recognising_provider_id != agreement.credential.provider_id

    def test_reviews_in_every_stage_match_credential_statuses(self, seeded):
        """Reviews exist in each stage; decisions, judgements and conditions fit them."""
        reviews = Review.objects.all()
        assert set(reviews.values_list("stage", flat=True)) == set(ReviewStage.values)
        assert set(reviews.values_list("review_type", flat=True)) == set(ReviewType.values)
        assert not reviews.filter(
            review_type=ReviewType.FAST_TRACK, target_working_days__isnull=True
        ).exists()
        assert not ReviewAssignment.objects.filter(
            review__stage=ReviewStage.IN_PROGRESS, no_conflict_declared_at__isnull=True
        ).exists()
        standards = ReviewStandard.objects.filter(
            standard_set__name="Registry review standards", standard_set__version=1
        )
        assert standards.count() == 5
        assert not standards.filter(title_zh="").exists()
        for review in reviews.filter(stage=ReviewStage.DECIDED):
            assert review.judgements.count() == 5
            assert review.decisions.count() == 1
        assert Judgement.objects.filter(review__stage=ReviewStage.IN_PROGRESS).exists()
        expected_status = {
            DecisionOutcome.APPROVED: CredentialStatus.REGISTERED,
            DecisionOutcome.APPROVED_WITH_CONDITIONS: CredentialStatus.REGISTERED,
            DecisionOutcome.REFERRED_BACK: CredentialStatus.REFERRED_BACK,
            DecisionOutcome.NOT_APPROVED: CredentialStatus.NOT_APPROVED,
        }
        decisions = Decision.objects.select_related("review__credential")
        assert set(decisions.values_list("outcome", flat=True)) == set(DecisionOutcome.values)
        for decision in decisions:
            assert decision.review.credential.status == expected_status[decision.outcome]
        # The demo corrects no decision, so no condition is closed as superseded.
        live_states = set(ConditionState.values) - {ConditionState.SUPERSEDED}
        assert set(Condition.objects.values_list("state", flat=True)) == live_states
        for review in reviews.filter(stage=ReviewStage.IN_PROGRESS):
            assert review.credential.status in (
                CredentialStatus.UNDER_REVIEW,
                CredentialStatus.REGISTERED,
            )

    def test_demo_users_can_log_in_with_their_roles(self, seeded, client):
        """Each demo account logs in with its documented password and holds its role."""
        for username, password in DEMO_PASSWORDS.items():
            # Through the sign-in form: the lockout backend needs the request.
            response = client.post(reverse("login"), {"username": username, "password": password})
            assert response.status_code == 302, username
            client.logout()
            assert f"{username}  " in seeded.output and password in seeded.output
        users = get_user_model().objects.in_bulk(DEMO_PASSWORDS, field_name="username")
        assert users["registry-admin"].is_staff and users["registry-admin"].is_superuser
        reviewers = Group.objects.get(name="reviewers").user_set.all()
        assert set(reviewers.values_list("username", flat=True)) == {"reviewer", "reviewer2"}
        admin = ProviderMembership.objects.get(user=users["provider-admin"])
        assert (admin.provider.slug, admin.role) == ("harbour-institute", MembershipRole.ADMIN)
        editor = ProviderMembership.objects.get(user=users["provider-editor"])
        assert editor.role == MembershipRole.EDITOR
        assert editor.provider_id != admin.provider_id
        assert not users["provider-admin"].is_staff
        assert not users["provider-editor"].is_staff

    def test_output_ends_with_a_summary_line(self, seeded):
        """The command prints what it created and one line of register totals."""
        assert "created 417 HK university programmes" in seeded.output
        assert seeded.output.strip().splitlines()[-1].startswith("Demo register: ")

    def test_second_run_changes_nothing(self, seeded):
        """Running again creates no row and touches no row's updated_at."""
        before = _snapshot()
        output = _run_seed(data_dir=DEMO_DATA_DIR)
        assert "Demo data already up to date." in output
        assert _snapshot() == before

    def test_rerun_restores_a_changed_status_through_a_recorded_transition(self, seeded):
        """A seeded entry moved to another status is moved back by the demo's registry
        administrator; a move the lifecycle forbids is an override, recorded as one."""
        credential = Credential.objects.get(registration_number="24/001102/L3")
        Credential.objects.filter(pk=credential.pk).update(status=CredentialStatus.WITHDRAWN)
        output = _run_seed(data_dir=DEMO_DATA_DIR)
        assert "updated 1 HK micro-credentials and awards (status)" in output
        credential.refresh_from_db()
        assert credential.status == CredentialStatus.REGISTERED
        last = credential.status_changes.order_by("-pk").first()
        assert (last.from_status, last.to_status) == (
            CredentialStatus.WITHDRAWN,
            CredentialStatus.REGISTERED,
        )
        assert last.changed_by.username == "registry-admin"
        assert last.reason.startswith(OVERRIDE_PREFIX + "Demo data restored")

    def test_rerun_refuses_what_the_lifecycle_refuses(self, seeded):
        """Moving back goes through credential_transition, so its rules hold for the seed:
        a record without a level cannot be put back on the register."""
        credential = Credential.objects.get(registration_number="24/001102/L3")
        Credential.objects.filter(pk=credential.pk).update(
            status=CredentialStatus.WITHDRAWN, level=None
        )
        changes = credential.status_changes.count()

        with pytest.raises(CommandError, match="24/001102/L3 cannot be moved back to registered"):
            _run_seed(data_dir=DEMO_DATA_DIR)

        credential.refresh_from_db()
        assert credential.status == CredentialStatus.WITHDRAWN
        assert credential.status_changes.count() == changes

    def test_rerun_expires_an_ended_entry_through_a_status_check(self, seeded):
        """An entry the file has expired, found registered again, is checked and expired."""
        credential = Credential.objects.filter(status=CredentialStatus.EXPIRED).first()
        Credential.objects.filter(pk=credential.pk).update(status=CredentialStatus.REGISTERED)

        _run_seed(data_dir=DEMO_DATA_DIR)

        credential.refresh_from_db()
        assert credential.status == CredentialStatus.EXPIRED
        last = credential.status_changes.order_by("-pk").first()
        assert (last.from_status, last.source) == (
            CredentialStatus.REGISTERED,
            StatusSource.STATUS_CHECK,
        )
        check = credential.status_checks.order_by("-pk").first()
        assert check.new_status == CredentialStatus.EXPIRED

    def test_seeded_conditions_have_the_history_of_their_state(self, seeded):
        conditions = list(Condition.objects.prefetch_related("events"))
        assert {c.state for c in conditions} == {"open", "met", "overdue"}
        for condition in conditions:
            steps = [(e.kind, e.from_state, e.to_state) for e in condition.events.all()]
            assert steps[0] == (ConditionEventKind.CREATED, "", ConditionState.OPEN)
            assert steps[-1][2] == condition.state
            assert len(steps) == (1 if condition.state == ConditionState.OPEN else 2)
