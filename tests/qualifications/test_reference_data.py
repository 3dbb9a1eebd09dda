import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from qualifications.choices import AreaScheme, ReferenceBasis
from qualifications.models import AreaOfStudy, CreditConvention, Framework, Level, LevelReference
from qualifications.reference_data import reference_data_load

pytestmark = pytest.mark.django_db


def _snapshot() -> dict:
    return {
        model.__name__: sorted(model.objects.values_list("id", "updated_at"))
        for model in (Framework, Level, LevelReference, CreditConvention, AreaOfStudy)
    }


def test_frameworks_and_levels_match_the_published_facts():
    """qualifications/data/frameworks.json: HKQF 1-7, RQF Entry 1-3 and 1-8, EQF 1-8."""
    codes = {
        framework.code: list(framework.levels.order_by("ordinal").values_list("code", flat=True))
        for framework in Framework.objects.all()
    }
    assert codes == {
        "HKQF": ["1", "2", "3", "4", "5", "6", "7"],
        "RQF": ["E1", "E2", "E3", "1", "2", "3", "4", "5", "6", "7", "8"],
        "EQF": ["1", "2", "3", "4", "5", "6", "7", "8"],
    }
    assert Framework.objects.get(code="HKQF").hours_per_credit == 10


def test_level_references_keep_their_basis():
    """RQF 4 and 5 both reference EQF 5 officially; HKQF references are indicative."""
    rqf_to_eqf5 = LevelReference.objects.filter(
        to_level__framework__code="EQF", to_level__code="5", from_level__framework__code="RQF"
    )
    assert sorted(rqf_to_eqf5.values_list("from_level__code", flat=True)) == ["4", "5"]
    assert set(rqf_to_eqf5.values_list("basis", flat=True)) == {ReferenceBasis.OFFICIAL}
    hkqf4 = LevelReference.objects.get(from_level__framework__code="HKQF", from_level__code="4")
    assert (hkqf4.to_level.framework.code, hkqf4.to_level.code) == ("EQF", "5")
    assert hkqf4.basis == ReferenceBasis.INDICATIVE


def test_credit_conventions_include_the_ects_range():
    ects = CreditConvention.objects.get(system="ECTS")
    assert (ects.hours_per_credit_min, ects.hours_per_credit_max) == (25, 30)


def test_areas_of_study_come_from_both_registers():
    """UK sector subject areas from Ofqual's scope file, HK study areas bilingual."""
    assert AreaOfStudy.objects.get(scheme=AreaScheme.UK_SSA, code="05.1").name_en == "Architecture"
    ai = AreaOfStudy.objects.get(scheme=AreaScheme.HK_PROGRAMME, code="AI")
    assert ai.name_zh == "數據科學、金融科技、人工智能"


def test_loading_again_changes_nothing():
    """The loader is idempotent: no row is created or touched by a second run."""
    before = _snapshot()

    report = reference_data_load(data_dir=settings.REFERENCE_DATA_DIR)

    assert not report.changed_anything
    assert _snapshot() == before


def test_loading_repairs_an_edited_fact():
    """A fact changed by hand is put back to the published value, and reported."""
    level = Level.objects.get(framework__code="HKQF", code="6")
    level.name_en = "Level six"
    level.save()

    report = reference_data_load(data_dir=settings.REFERENCE_DATA_DIR)

    level.refresh_from_db()
    assert level.name_en == "Level 6"
    assert report.updated == {"levels": 1}


def test_command_reports_up_to_date(capsys):
    call_command("load_reference_data")
    assert "already up to date" in capsys.readouterr().out


def test_command_refuses_a_folder_without_facts(tmp_path):
    with pytest.raises(CommandError, match=r"No frameworks\.json in"):
        call_command("load_reference_data", data_dir=tmp_path)
