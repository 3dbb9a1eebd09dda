"""What Ofqual's export and the DfE list share: qualification numbers, RQF levels, SSAs,
and the words Ofqual uses for a qualification's status."""

import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from credentials.vocabulary import OFQUAL
from qualifications.choices import AreaScheme
from qualifications.models import AreaOfStudy, Level

from .base import CellError, FormatContext

OFQUAL_REGISTER = OFQUAL
RQF = "RQF"
QUALITY_ASSURANCE = "Regulated by Ofqual"
QUALIFICATION_NUMBER = re.compile(r"^\d{3}/\d{4}/[0-9A-Z]$")
BARE_QUALIFICATION_NUMBER = re.compile(r"^\d{7}[0-9A-Z]$")
LEVEL_TEXT = re.compile(r"^(?:RQF\s+)?Level\s+(?P<code>[1-8])$", re.I)
# "Level 1/2" (GCSEs, Ofqual also writes "Level 1/Level 2"): certified up to level 2.
SPANNING_LEVEL = re.compile(r"^Level\s+1\s*/\s*(?:Level\s+)?2$", re.I)
ENTRY_LEVEL = re.compile(r"^Entry(?:\s+Level)?$", re.I)
ENTRY_SUB_LEVEL = re.compile(r"\bEntry\s*(?:Level\s*)?(?P<sub>[1-3])\b", re.I)
# The DfE list uses the 2019 SSA names where the scheme loaded as reference data has the
# earlier ones.
SSA_ALIASES = {
    "digital technology (practitioners)": "ict practitioners",
    "digital technology (users)": "ict for users",
}


# Translated where it is reported, so the message follows the active language.
ENTRY_LEVEL_UNKNOWN = gettext_noop(
    "Entry Level without a sub-level (Entry 1, 2 or 3): the level is left blank."
)


def with_slashes(number: str) -> str:
    """Format an Ofqual qualification number as published: ``60324760`` -> ``603/2476/0``."""
    bare = number.replace("/", "").strip().upper()
    return f"{bare[:3]}/{bare[3:7]}/{bare[7:]}"


def read_qualification_number(text: str) -> str:
    """A qualification number in its published form, from either way of writing it."""
    text = text.strip().upper()
    if QUALIFICATION_NUMBER.match(text):
        return text
    if BARE_QUALIFICATION_NUMBER.match(text):
        return with_slashes(text)
    raise CellError(
        _("“%(value)s” is not an Ofqual qualification number (e.g. 603/2476/0 or 60324760).")
        % {"value": text}
    )


def rqf_level(
    context: FormatContext, level: str, sub_level: str = "", title: str = ""
) -> Level | None:
    """The RQF level an Ofqual or DfE row names; raises CellError for one it cannot name.

    Returns None for "Entry Level" with no sub-level in the row or its title: such
    qualifications span Entry 1-3 and the registry will not guess.
    """
    text = " ".join(level.split())
    match = LEVEL_TEXT.match(text)
    if match:
        code = match["code"]
    elif SPANNING_LEVEL.match(text):
        code = "2"
    elif ENTRY_LEVEL.match(text):
        sub = ENTRY_SUB_LEVEL.search(sub_level) or ENTRY_SUB_LEVEL.search(title)
        if sub is None:
            return None
        code = f"E{sub['sub']}"
    else:
        raise CellError(
            _("“%(value)s” is not an RQF level (Entry Level, Level 1/2, or Level 1 to 8).")
            % {"value": level}
        )
    return context.levels[(RQF, code)]


def sector_subject_area(context: FormatContext, name: str) -> AreaOfStudy | None:
    key = " ".join(name.split()).casefold()
    return context.area((AreaScheme.UK_SSA,), SSA_ALIASES.get(key, key))
