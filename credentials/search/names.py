"""Words the search document adds for what a record's text only implies.

- Quality marks are codes in an array (`htq`), not text: a learner typing "HTQ" or
  "高等技術資歷" means the marked entries. Each mark contributes its words in both languages.
- Some qualification names are made of English stop words ("A level": `a` is dropped, so
  the phrase shrinks to the word "level" and finds every "Level 4 Diploma"). Such a name in
  a title or qualification type adds one canonical word (`alevel`), and the query builder
  turns every spelling of the name into that word (`synonyms.py`).

Both tables are compiled into the document SQL (`sql.py`) and frozen into a migration when
they change.
"""

from dataclasses import dataclass

from ..choices import QualityMark

# Each mark's words: its code and label in English and Traditional Chinese, and the name of
# the scheme behind it. A test keeps them in step with the translated labels.
QUALITY_MARK_WORDS: dict[str, str] = {
    QualityMark.HTQ: "HTQ Higher Technical Qualification 高等技術資歷",
    QualityMark.CEF: (
        "CEF reimbursable Continuing Education Fund 可獲持續進修基金發還 持續進修基金"
    ),
    QualityMark.DFE_FUNDED: "Approved for DfE funding DfE funded 獲英國教育部資助",
    QualityMark.ADVANCED_LEARNER_LOAN: "Advanced Learner Loan 高級學員貸款",
}


@dataclass(frozen=True)
class QualificationName:
    """A qualification name that stop words would erase, and the word that stands for it."""

    token: str
    # PostgreSQL ARE, matched case-insensitively against titles and qualification types. A
    # digit after it means the article and a numbered level ("a Level 3 Diploma").
    pattern: str
    # How learners write it; the query builder maps each to `token`.
    spellings: tuple[str, ...]


QUALIFICATION_NAMES: tuple[QualificationName, ...] = (
    QualificationName(
        token="alevel",
        pattern=r"\ma[- ]?levels?\M(?![ ]*[0-9])",
        spellings=(
            "A level",
            "A levels",
            "A-level",
            "A-levels",
            "alevel",
            "alevels",
            "GCE A level",
            "GCE A levels",
        ),
    ),
    QualificationName(
        token="aslevel",
        pattern=r"\mas[- ]?levels?\M(?![ ]*[0-9])",
        spellings=(
            "AS level",
            "AS levels",
            "AS-level",
            "AS-levels",
            "aslevel",
            "aslevels",
            "GCE AS level",
            "GCE AS levels",
        ),
    ),
)
