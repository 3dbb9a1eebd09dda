"""One world holding an object of provider A behind every object route, and seven personas."""

from dataclasses import dataclass

from django.contrib.auth.models import Group

from changes.models import WebhookSubscription
from changes.webhooks.services import webhook_subscription_create
from credentials.choices import CredentialStatus
from credentials.models import Credential, Pathway
from credentials.pathways import pathway_create
from imports.models import ImportJob
from imports.services import import_job_create
from providers.choices import MembershipRole
from providers.models import ApiToken
from providers.roles import REVIEWERS_GROUP
from providers.tokens import api_token_create
from qa_reviews.choices import DecisionOutcome
from qa_reviews.models import Condition, Judgement, Review
from qa_reviews.services import review_declare_no_conflict
from status_checks.choices import SweepScope
from status_checks.models import StatusSweep
from status_checks.sweeps import sweep_create
from tests.factories import CredentialFactory, MembershipFactory, UserFactory
from tests.qa_reviews.workflow import approve, condition, judge_all, make_world, open_review

# The seven personas every route answers for.
PERSONAS = (
    "anonymous",
    "a_admin",
    "a_editor",
    "b_admin",
    "reviewer",
    "a_reviewer",
    "registry_admin",
)


@dataclass
class World:
    users: dict[str, object]
    provider_a: object
    registered: Credential
    draft: Credential
    review: Review
    judgement: Judgement
    condition: Condition
    pathway: Pathway
    token: ApiToken
    import_job: ImportJob
    sweep: StatusSweep
    webhook: WebhookSubscription

    def user(self, persona: str):
        return self.users[persona]


def build_world() -> World:
    """Provider A's records in every state a route shows, reviewed by the reviewer persona.

    ``a_reviewer`` is a reviewer who is also an editor at provider A: a conflict of interest,
    so provider A's reviews stay closed to them even though their group would open them.
    """
    qa = make_world()
    personas = qa.personas
    a_reviewer = UserFactory(username="reviewer-at-provider-a")
    a_reviewer.groups.add(Group.objects.get_or_create(name=REVIEWERS_GROUP)[0])
    MembershipFactory(provider=personas.provider_a, user=a_reviewer, role=MembershipRole.EDITOR)

    review = open_review(qa)
    review_declare_no_conflict(actor=qa.reviewer, review=review)
    judgements = judge_all(qa, review)
    decision = approve(
        qa,
        review,
        outcome=DecisionOutcome.APPROVED_WITH_CONDITIONS,
        conditions=[condition("Publish the assessment rubric.", 60)],
    )
    registered = Credential.objects.get(pk=qa.credential.pk)
    assert registered.status == CredentialStatus.REGISTERED
    draft = CredentialFactory(
        provider=personas.provider_a,
        status=CredentialStatus.DRAFT,
        valid_from=None,
        valid_to=None,
    )
    token, _secret = api_token_create(user=personas.a_admin, name="matrix")
    return World(
        users={
            "anonymous": None,
            "a_admin": personas.a_admin,
            "a_editor": personas.a_editor,
            "b_admin": personas.b_admin,
            "reviewer": personas.reviewer,
            "a_reviewer": a_reviewer,
            "registry_admin": personas.registry_admin,
        },
        provider_a=personas.provider_a,
        registered=registered,
        draft=draft,
        review=review,
        judgement=judgements[0],
        condition=decision.conditions.get(),
        pathway=pathway_create(
            actor=personas.a_admin,
            award=registered,
            name_en="Matrix stack",
            credits_required=registered.credits,
        ),
        token=token,
        import_job=import_job_create(
            actor=personas.a_admin,
            format="registry-csv",
            content=b"registration_number,title_en\n",
            filename="matrix.csv",
            provider=personas.provider_a,
            dry_run=True,
        ),
        sweep=sweep_create(
            scope=SweepScope.PROVIDER,
            provider=personas.provider_a,
            requested_by=personas.registry_admin,
        ),
        webhook=webhook_subscription_create(
            actor=personas.a_admin,
            name="Matrix hook",
            target_url="https://hooks.example.org/registry",
            provider=personas.provider_a,
        ).subscription,
    )


__all__ = ["PERSONAS", "World", "build_world"]
