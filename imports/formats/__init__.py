"""One parser per register file format, by the name the command and the API use."""

from ..choices import ImportFormat
from .base import FormatContext, ParsedRow, RegisterFormat
from .dfe import DfeFormat
from .hkqr import HkqrFormat
from .ofqual import OfqualFormat
from .registry_csv import RegistryCsvFormat

FORMATS: dict[str, type[RegisterFormat]] = {
    ImportFormat.OFQUAL: OfqualFormat,
    ImportFormat.DFE: DfeFormat,
    ImportFormat.HKQR: HkqrFormat,
    ImportFormat.REGISTRY_CSV: RegistryCsvFormat,
}

__all__ = ["FORMATS", "FormatContext", "ParsedRow", "RegisterFormat"]
