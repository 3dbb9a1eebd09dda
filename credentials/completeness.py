"""Score a credential against the EU Annex I elements and HKQR's key features.

EU Council Recommendation 2022/C 243/02, Annex I, lists the elements a micro-credential
must and may describe; HKQR registers award title, level, credits and assessment for every
entry. Learner identification and date of issuing belong on each learner's certificate,
not on the register entry, so they are not scored here.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from config.types import StrOrPromise

from .models import Credential


@dataclass(frozen=True)
class Element:
    key: str
    label: StrOrPromise
    mandatory: bool
    sources: tuple[str, ...]
    present: Callable[[Credential], bool]


@dataclass(frozen=True)
class CompletenessReport:
    """Which elements a record states, which are missing, and a 0-100 score."""

    present: tuple[Element, ...]
    missing_mandatory: tuple[Element, ...]
    missing_optional: tuple[Element, ...]

    @property
    def score(self) -> int:
        total = len(self.present) + len(self.missing_mandatory) + len(self.missing_optional)
        return round(100 * len(self.present) / total)

    @property
    def can_submit(self) -> bool:
        return not self.missing_mandatory


EU = "EU Annex I"
HKQR = "HKQR"

ELEMENTS: tuple[Element, ...] = (
    Element("title", _("Title"), True, (EU, HKQR), lambda c: bool(c.title_en.strip())),
    Element(
        "issuer_region",
        _("Country or region of the issuer"),
        True,
        (EU,),
        lambda c: bool(c.provider_id and c.provider.jurisdiction),
    ),
    Element(
        "awarding_body",
        _("Awarding body"),
        True,
        (EU, HKQR),
        lambda c: bool(c.awarding_body_id or c.provider_id),
    ),
    Element(
        "learning_outcomes",
        _("Learning outcomes"),
        True,
        (EU,),
        lambda c: any(outcome.strip() for outcome in c.learning_outcomes_en),
    ),
    Element(
        "workload",
        _("Notional workload (hours or ECTS)"),
        True,
        (EU,),
        lambda c: bool(c.notional_hours or c.ects_credits),
    ),
    Element("credits", _("Credits"), True, (HKQR,), lambda c: c.credits is not None),
    Element("level", _("Framework level"), True, (EU, HKQR), lambda c: c.level_id is not None),
    Element(
        "assessment_type",
        _("Type of assessment"),
        True,
        (EU, HKQR),
        lambda c: bool(c.assessment_type.strip()),
    ),
    Element(
        "mode_of_delivery",
        _("Form of participation"),
        True,
        (EU,),
        lambda c: bool(c.mode_of_delivery),
    ),
    Element(
        "quality_assurance_type",
        _("Type of quality assurance"),
        True,
        (EU,),
        lambda c: bool(c.quality_assurance_type.strip()),
    ),
    Element("title_zh", _("Chinese title"), False, (HKQR,), lambda c: bool(c.title_zh.strip())),
    Element(
        "prerequisites", _("Prerequisites"), False, (EU,), lambda c: bool(c.prerequisites.strip())
    ),
    Element(
        "supervision",
        _("Supervision and identity verification"),
        False,
        (EU,),
        lambda c: bool(c.supervision),
    ),
    Element("languages", _("Language of instruction"), False, (EU,), lambda c: bool(c.languages)),
    Element(
        "further_information",
        _("Further information"),
        False,
        (EU,),
        lambda c: bool(c.further_information_url),
    ),
)


def credential_completeness(*, credential: Credential) -> CompletenessReport:
    """Check every element; mandatory ones missing block submission."""
    present, missing_mandatory, missing_optional = [], [], []
    for element in ELEMENTS:
        if element.present(credential):
            present.append(element)
        elif element.mandatory:
            missing_mandatory.append(element)
        else:
            missing_optional.append(element)
    return CompletenessReport(tuple(present), tuple(missing_mandatory), tuple(missing_optional))
