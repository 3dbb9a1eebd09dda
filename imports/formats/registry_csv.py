"""The registry's own CSV, as ``credentials.interop.registry_csv`` writes it.

Only ``registration_number``, ``title_en`` and ``provider`` are required; a column left out
leaves that field of an existing entry alone, so a hand-made file may carry a few columns.
"""

from django.utils.translation import gettext as _

from credentials.choices import CredentialStatus
from credentials.interop.registry_csv import (
    COLUMNS,
    FIELD_CELLS,
    PROVIDER_ATTRIBUTES,
    STATUS_COLUMN,
    SUPERSEDED_BY_COLUMN,
    CellValueError,
    decoder,
)

from ..organisations import ProviderRef
from ..reading import Column
from .base import FormatContext, ParsedRow, RegisterFormat

REQUIRED = {"registration_number", "title_en", "provider"}
STATUSES = frozenset(CredentialStatus.values)
# Each field's column and the function that reads it, chosen once rather than per cell.
FIELD_DECODERS = tuple(
    (name, decoder(cell)) for name, cell in FIELD_CELLS.items() if name != "registration_number"
)
PROVIDER_COLUMNS = {
    prefix: tuple(
        (attribute, f"{prefix}_{suffix}") for attribute, suffix in PROVIDER_ATTRIBUTES.items()
    )
    for prefix in ("provider", "awarding_body")
}


class RegistryCsvFormat(RegisterFormat):
    name = "registry-csv"
    number_column = "registration_number"
    status_follows_validity = False
    columns = tuple(Column(name, required=name in REQUIRED) for name in COLUMNS)
    field_columns = {
        "level": "level",
        "area_of_study": "area_code",
        "provider": "provider",
        "awarding_body": "awarding_body",
    }

    def __init__(self, context: FormatContext):
        super().__init__(context)
        self.status_reason = _("Imported from a registry CSV file.")
        self._refs: dict[tuple[str, ...], ProviderRef] = {}

    def _provider(self, row: dict[str, str], prefix: str) -> ProviderRef | None:
        slug = row.get(prefix, "").strip()
        if not slug:
            return None
        columns = PROVIDER_COLUMNS[prefix]
        cells = (slug, *[row.get(column, "") for _attribute, column in columns])
        # A file names its few providers on thousands of rows: each is described once.
        ref = self._refs.get(cells)
        if ref is None:
            attributes = {
                attribute: text.strip()
                for (attribute, _column), text in zip(columns, cells[1:], strict=True)
            }
            creatable = all(
                attributes[name] for name in ("name_en", "jurisdiction", "provider_type")
            )
            ref = self._refs[cells] = ProviderRef(slug=slug, creatable=creatable, **attributes)
        return ref

    def parse(self, row_number: int, row: dict[str, str]) -> ParsedRow | None:
        report, context = self.report, self.context
        number = row["registration_number"].strip()
        if not number:
            report.error(row_number, "registration_number", _("The registration number is blank."))
            return None
        values = {}
        for name, read in FIELD_DECODERS:
            text = row.get(name)
            if text is None:
                continue
            try:
                values[name] = read(text)
            except CellValueError as error:
                report.error(
                    row_number,
                    name,
                    _("“%(value)s” is %(problem)s.") % {"value": row[name], "problem": error},
                )
        if "level" in row or "framework" in row:
            framework, code = row.get("framework", "").strip(), row.get("level", "").strip()
            values["level"] = None
            if framework or code:
                level = context.levels.get((framework.upper(), code.upper()))
                if level is None:
                    report.error(
                        row_number,
                        "level",
                        _("“%(framework)s %(level)s” is not a level on the register.")
                        % {"framework": framework, "level": code},
                    )
                values["level"] = level
        if "area_code" in row or "area_scheme" in row:
            scheme, code = row.get("area_scheme", "").strip(), row.get("area_code", "").strip()
            values["area_of_study"] = None
            if scheme or code:
                area = context.area_codes.get((scheme, code))
                if area is None:
                    report.error(
                        row_number,
                        "area_code",
                        _("“%(scheme)s %(code)s” is not an area of study on the register.")
                        % {"scheme": scheme, "code": code},
                    )
                values["area_of_study"] = area
        status: str = CredentialStatus.DRAFT
        if row.get(STATUS_COLUMN, "").strip():
            status = row[STATUS_COLUMN].strip()
            if status not in STATUSES:
                report.error(
                    row_number,
                    STATUS_COLUMN,
                    _("“%(value)s” is not a status; use one of: %(statuses)s.")
                    % {"value": status, "statuses": ", ".join(CredentialStatus.values)},
                )
                status = CredentialStatus.DRAFT
        successor = row.get(SUPERSEDED_BY_COLUMN, "").strip()
        if status == CredentialStatus.SUPERSEDED and not successor:
            report.error(
                row_number,
                SUPERSEDED_BY_COLUMN,
                _("A superseded entry names its successor: its registration number goes here."),
            )
        elif successor and status != CredentialStatus.SUPERSEDED:
            report.error(
                row_number,
                SUPERSEDED_BY_COLUMN,
                _("Only a superseded entry names a successor; this one is %(status)s.")
                % {"status": status},
            )
        parsed = ParsedRow(
            row=row_number,
            registration_number=number,
            values=values,
            status=status,
            status_reason=self.status_reason,
            provider=self._provider(row, "provider"),
            superseded_by=successor,
        )
        if "awarding_body" in row:
            parsed.awarding_body = self._provider(row, "awarding_body")
            parsed.sets_awarding_body = True
        if parsed.provider is None and context.provider is None:
            report.error(
                row_number,
                "provider",
                _("The provider is blank and no provider was chosen for this import."),
            )
        return parsed
