"""Reading a 住民記録 (resident register) CSV export: decoding, columns, values, rows.

Pure: no database. :func:`parse` turns the bytes of a file into rows ready for
``kasane.registry.import_services.residents_import`` and a list of every fault, each with
the file's line number, so a worker fixes the whole file at once. A file with any fault
is imported not at all.

What a 住民記録 system exports varies by vendor; the columns are found by their Japanese
headings (with the common variants), in any order, extra columns ignored:
世帯番号, 宛名番号 or 住民票コード, 氏名, カナ氏名, 生年月日, 性別, 続柄, 住所, 異動日.
A column of マイナンバー (個人番号) refuses the whole file: Kasane is not a 個人番号利用事務
system and must not hold one.
"""

from kasane.registry.resident_import.rows import parse
from kasane.registry.resident_import.schema import (
    COLUMNS,
    ENCODINGS,
    FORBIDDEN_HEADINGS,
    MAX_LENGTH,
    RELATIONSHIPS,
    REQUIRED,
    SEXES,
    Encoding,
    ImportFileError,
    ParseResult,
    ResidentRow,
    RowError,
)
from kasane.registry.resident_import.values import decode, parse_date

__all__ = [
    "COLUMNS",
    "ENCODINGS",
    "FORBIDDEN_HEADINGS",
    "MAX_LENGTH",
    "RELATIONSHIPS",
    "REQUIRED",
    "SEXES",
    "Encoding",
    "ImportFileError",
    "ParseResult",
    "ResidentRow",
    "RowError",
    "decode",
    "parse",
    "parse_date",
]
