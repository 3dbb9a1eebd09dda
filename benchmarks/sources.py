"""The published lists a benchmark register is drawn from, read once and parsed.

- `uk/ofqual-all-qualification-titles.json`: 48k Ofqual titles. Each title starts with
  its awarding organisation's name or acronym and usually names its level and type, so
  a UK entry keeps a consistent provider, RQF level and qualification type.
- `uk/ofqual-awarding-organisations.csv`: the awarding organisations (UK providers).
- `hk/hk-university-programmes-2025-bilingual.csv`: 417 bilingual HK programmes, used
  as they are and as a source of bilingual subjects for invented micro-credentials.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

# Copies of the public files below, with their licences (see data/README.md).
BENCH_DATA_DIR = Path(__file__).resolve().parent / "data"
UK_TITLES_FILE = "uk/ofqual-all-qualification-titles.json"
AWARDING_ORGANISATIONS_FILE = "uk/ofqual-awarding-organisations.csv"
HK_PROGRAMMES_FILE = "hk/hk-university-programmes-2025-bilingual.csv"
SOURCE_FILES = (UK_TITLES_FILE, AWARDING_ORGANISATIONS_FILE, HK_PROGRAMMES_FILE)

# Longest awarding-organisation prefix looked for at the start of a title, in words.
_PREFIX_WORDS = 6
_LEVEL = re.compile(r"\bLevel (\d)\b")
_ENTRY = re.compile(r"\bEntry(?: Level)?\b.*?\(?Entry (\d)\)?|\bEntry (\d)\b")
_SUBJECT = re.compile(r"\b(?:in|for|of)\s+(.+?)(?:\s*\((?:QCF|RQF|VRQ|NQF)\))?$", re.IGNORECASE)

# Title words → Ofqual qualification type; first match wins, the rest are generic types.
_TYPES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"End[- ]Point Assessment|Apprentice", re.I), "End-Point Assessment"),
    (re.compile(r"\bGCSE\b"), "GCSE (9 to 1)"),
    (re.compile(r"\bGCE A Level\b|\bA Level\b", re.I), "GCE A Level"),
    (re.compile(r"\bGCE AS\b|\bAS Level\b", re.I), "GCE AS Level"),
    (re.compile(r"Functional Skills", re.I), "Functional Skills"),
    (
        re.compile(r"\bESOL\b|Speakers of Other Languages", re.I),
        "English For Speakers of Other Languages",
    ),
    (re.compile(r"\bNVQ\b"), "National Vocational Qualification"),
    (re.compile(r"Higher National Certificate|\bHNC\b"), "Higher National Certificate"),
    (re.compile(r"Higher National Diploma|\bHND\b"), "Higher National Diploma"),
    (re.compile(r"Essential Digital", re.I), "Essential Digital Skills"),
    (re.compile(r"\bBTEC\b"), "Other General Qualification"),
)
GENERIC_TYPES = ("Vocationally-Related Qualification", "Occupational Qualification")

# Title words → UK sector subject area code (tier 2); unmatched titles get a random area.
# Lowercase patterns matched against the lowercased title: three times faster than 33
# case-insensitive scans of each of 48,163 titles, and the same area for every one of them.
UK_AREA_KEYWORDS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), code)
    for pattern, code in (
        (r"health and social care|\bcare\b", "01.3"),
        (r"nurs|midwi|pharmac|dental|clinical", "01.2"),
        (r"child|early years|playwork", "01.5"),
        (r"police|security|door supervis|fire|custod", "01.4"),
        (r"account|finance|bookkeep|payroll|tax", "15.1"),
        (r"business|management|leadership", "15.3"),
        (r"administrat|office", "15.2"),
        (r"marketing|sales|customer", "15.4"),
        (r"law|legal|paralegal", "15.5"),
        (r"engineer|electr|mechanic|weld", "04.1"),
        (r"manufactur|process|fabricat", "04.2"),
        (r"vehicle|motor|transport|driv|logistic", "04.3"),
        (r"construct|build|plumb|carpent|brick|plaster", "05.2"),
        (r"\bit\b|computing|software|digital|cyber|network", "06.1"),
        (r"hospitality|catering|chef|food|cook", "07.4"),
        (r"retail|wholesal", "07.1"),
        (r"warehous|distribution", "07.2"),
        (r"hair|beauty|nail|spa|barber|make-up", "07.3"),
        (r"sport|fitness|leisure|outdoor|coach", "08.1"),
        (r"travel|tourism|aviation", "08.2"),
        (r"music|dance|drama|perform|theatre", "09.1"),
        (r"art|design|craft|photograph", "09.2"),
        (r"media|journalis|communicat", "09.3"),
        (r"teach|training|assessor|educat", "13.1"),
        (r"learning support|teaching assistant", "13.2"),
        (r"agricult|farm|land-based", "03.1"),
        (r"horticult|forest|garden|tree", "03.2"),
        (r"animal|equine|veterinar|dog|horse", "03.3"),
        (r"science|biolog|chemi|physic|laborator", "02.1"),
        (r"mathemat|numer|statistic", "02.2"),
        (r"english|literacy|language|welsh|french|spanish|german", "12.2"),
        (r"employab|work skills|progression|personal", "14.2"),
        (r"independent living|life skills|entry", "14.1"),
    )
)

# Bilingual subjects for invented HK micro-credentials and certificates, with their HK
# area-of-study code; more are taken from the programme list itself.
HK_SUBJECTS: tuple[tuple[str, str, str], ...] = (
    ("Financial Technology", "金融科技", "AI"),
    ("Green Finance", "綠色金融", "Business"),
    ("Wealth Management", "財富管理", "Business"),
    ("Banking and Finance", "銀行及金融", "Business"),
    ("Insurance", "保險", "Business"),
    ("Accounting", "會計", "Business"),
    ("Taxation", "稅務", "Business"),
    ("Logistics and Supply Chain Management", "物流及供應鏈管理", "Business"),
    ("Human Resource Management", "人力資源管理", "Business"),
    ("Digital Marketing", "數碼營銷", "Business"),
    ("Hospitality Management", "酒店管理", "Business"),
    ("Tourism and Events", "旅遊及項目管理", "Business"),
    ("Property Management", "物業管理", "Business"),
    ("ESG and Sustainability Reporting", "環境、社會及管治報告", "Business"),
    ("Artificial Intelligence", "人工智能", "AI"),
    ("Data Analytics", "數據分析", "AI"),
    ("Generative AI for Business", "商業生成式人工智能", "AI"),
    ("Cybersecurity", "網絡安全", "Computing"),
    ("Cloud Computing", "雲端運算", "Computing"),
    ("Software Engineering", "軟件工程", "Computing"),
    ("Mobile App Development", "流動應用程式開發", "Computing"),
    ("Civil Engineering", "土木工程", "Engineering"),
    ("Electrical Engineering", "電機工程", "Engineering"),
    ("Mechanical Engineering", "機械工程", "Engineering"),
    ("Building Services Engineering", "屋宇設備工程", "Engineering"),
    ("Construction Safety", "建造業安全", "Building"),
    ("Building Information Modelling", "建築信息模擬", "Building"),
    ("Interior Design", "室內設計", "Design"),
    ("Fashion Design", "時裝設計", "Design"),
    ("Early Childhood Education", "幼兒教育", "Education"),
    ("Special Educational Needs", "特殊教育需要", "Education"),
    ("Nursing", "護理", "Medicine"),
    ("Elderly Care", "長者護理", "Medicine"),
    ("Rehabilitation Care", "復康護理", "Medicine"),
    ("Chinese Medicine", "中醫", "Medicine"),
    ("Healthcare Management", "醫療管理", "Medicine"),
    ("Mental Health", "精神健康", "Psychology"),
    ("Counselling", "輔導", "Psychology"),
    ("Social Work Practice", "社會工作實務", "SocialWork"),
    ("Translation and Interpretation", "翻譯及傳譯", "Communication"),
    ("Journalism and Digital Media", "新聞及數碼媒體", "Communication"),
    ("Legal Studies", "法律研究", "Law"),
    ("Sports Coaching", "運動教練", "Sports"),
    ("Music Production", "音樂製作", "Music"),
    ("Environmental Protection", "環境保護", "Science"),
    ("Laboratory Science", "化驗科學", "Science"),
)


@dataclass(frozen=True)
class AwardingOrganisation:
    number: str  # Ofqual recognition number, e.g. RN5355
    name: str
    acronym: str


@dataclass(frozen=True)
class UkTitle:
    title: str
    organisation: str | None  # recognition number of the organisation the title names
    level: str | None  # RQF level code the title names (E1-E3, 1-8)
    qualification_type: str | None
    subject: str  # what follows "in"/"for"/"of", for learning outcomes
    area: str | None  # UK sector subject area code the title's words suggest


@dataclass(frozen=True)
class HkProgramme:
    institution: str  # institution code, e.g. HKU
    institution_en: str
    institution_zh: str
    title_en: str
    title_zh: str
    areas: tuple[str, ...]


@dataclass(frozen=True)
class Subject:
    en: str
    zh: str
    area: str


@dataclass(frozen=True)
class Sources:
    organisations: tuple[AwardingOrganisation, ...]
    uk_titles: tuple[UkTitle, ...]
    hk_programmes: tuple[HkProgramme, ...]
    hk_subjects: tuple[Subject, ...]


def missing_files(data_dir: Path) -> list[str]:
    """Return the source files `data_dir` lacks."""
    return [name for name in SOURCE_FILES if not (data_dir / name).is_file()]


def _organisations(data_dir: Path) -> tuple[AwardingOrganisation, ...]:
    with (data_dir / AWARDING_ORGANISATIONS_FILE).open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    return tuple(
        AwardingOrganisation(
            number=row["Recognition Number"].strip(),
            name=row["Name"].strip(),
            acronym=(row.get("Acronym") or "").strip(),
        )
        for row in rows
        if row["Recognition Number"].strip() and row["Name"].strip()
    )


def uk_level(title: str) -> str | None:
    """Return the RQF level code a title names (`Entry 3` → E3), or None."""
    entry = _ENTRY.search(title)
    if entry:
        return f"E{entry.group(1) or entry.group(2)}"
    if "Entry Level" in title:
        return "E3"
    level = _LEVEL.search(title)
    if level:
        return level.group(1)
    if "GCSE" in title:
        return "2"
    if re.search(r"\bA Level\b|\bGCE\b", title):
        return "3"
    return None


def uk_type(title: str) -> str | None:
    """Return the Ofqual qualification type a title names, or None."""
    for pattern, name in _TYPES:
        if pattern.search(title):
            return name
    return None


def uk_area(title: str) -> str | None:
    """Return the sector subject area a title's words suggest, or None."""
    lowered = title.lower()
    for pattern, code in UK_AREA_KEYWORDS:
        if pattern.search(lowered):
            return code
    return None


def _uk_titles(
    data_dir: Path, organisations: tuple[AwardingOrganisation, ...]
) -> tuple[UkTitle, ...]:
    by_name: dict[str, str] = {}
    for organisation in organisations:
        for name in (organisation.name, organisation.acronym):
            if name:
                by_name.setdefault(name.lower(), organisation.number)
    entries = json.loads((data_dir / UK_TITLES_FILE).read_text(encoding="utf-8"))
    titles: list[UkTitle] = []
    for entry in entries:
        title = " ".join(str(entry.get("text", "")).split())[:500]
        if not title:
            continue
        words = title.split()
        number = None
        for size in range(min(_PREFIX_WORDS, len(words)), 0, -1):
            number = by_name.get(" ".join(words[:size]).lower())
            if number:
                break
        subject = _SUBJECT.search(title)
        titles.append(
            UkTitle(
                title=title,
                organisation=number,
                level=uk_level(title),
                qualification_type=uk_type(title),
                subject=(subject.group(1) if subject else title)[:120],
                area=uk_area(title),
            )
        )
    return tuple(titles)


def _hk_programmes(data_dir: Path) -> tuple[HkProgramme, ...]:
    with (data_dir / HK_PROGRAMMES_FILE).open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    return tuple(
        HkProgramme(
            institution=row["institution_code"].strip(),
            institution_en=row["institution_en"].strip(),
            institution_zh=row["institution_tc"].strip(),
            title_en=row["title_en"].strip()[:500],
            title_zh=row["title_tc"].strip()[:500],
            areas=tuple(code for code in row["study_area_codes"].split("|") if code),
        )
        for row in rows
        if row["title_en"].strip()
    )


_PAREN_ZH = re.compile(r"[（(]([^（）()]{2,20})[）)]")
_IN_EN = re.compile(r"\bin (.{3,80}?)(?: \(|$)")


def _programme_subjects(programmes: tuple[HkProgramme, ...]) -> list[Subject]:
    """Bilingual subjects read off programme titles such as `理學士(計量金融)`."""
    subjects: list[Subject] = []
    for programme in programmes:
        if not programme.areas:
            continue
        zh = _PAREN_ZH.findall(programme.title_zh)
        en = _IN_EN.search(programme.title_en)
        if len(zh) == 1 and en and "榮譽" not in zh[0]:
            subjects.append(Subject(en.group(1), zh[0], programme.areas[0]))
        elif (
            "(" not in programme.title_en
            and len(programme.title_en.split()) <= 5
            and not programme.title_en.startswith(("Bachelor", "BA", "BSc", "BEng"))
        ):
            # CUHK lists broad-admission subjects bare: "Public Humanities", 公共人文學.
            subjects.append(Subject(programme.title_en, programme.title_zh, programme.areas[0]))
    return subjects


@cache
def read_sources(data_dir: Path) -> Sources:
    """Read and parse every source list in `data_dir`."""
    organisations = _organisations(data_dir)
    programmes = _hk_programmes(data_dir)
    subjects = [Subject(en, zh, area) for en, zh, area in HK_SUBJECTS]
    subjects.extend(_programme_subjects(programmes))
    unique = {subject.zh: subject for subject in subjects}
    return Sources(
        organisations=organisations,
        uk_titles=_uk_titles(data_dir, organisations),
        hk_programmes=programmes,
        hk_subjects=tuple(unique.values()),
    )
