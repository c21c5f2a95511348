"""The catalogue in Open Referral HSDS 3.0: service records out, service records in.

Export gives one HSDS *service* per opportunity, with its organization, schedules,
service_at_locations (location, address, accessibility), languages, cost_options, phones and
attributes nested, as the HSDS API's service endpoint does; the CSV form is the HSDS tabular
package (services.csv, organizations.csv, …) built from the same records. What HSDS 3.0 has
no field for — kinds of place, accessibility codes, whom a place welcomes, the area, capacity
and places free — travels as HSDS *attributes* under ``kasane:`` taxonomies.

Import reads either form back into :class:`ParsedService` values, checking every record
and collecting every fault with where it is (record number or file and row, the record's
id, the field), so that a file is fixed in one pass and nothing is written until all of it
is sound (``kasane.participation.catalogue.services.catalogue_import``).
"""

from kasane.participation.catalogue.hsds.export import service_record, to_csv_zip, to_json
from kasane.participation.catalogue.hsds.files import (
    MAX_UNPACKED_BYTES,
    read_file,
    records_from_json,
    records_from_tables,
)
from kasane.participation.catalogue.hsds.parse import parse_service, parse_services
from kasane.participation.catalogue.hsds.reader import (
    ImportFileError,
    ParsedResource,
    ParsedSchedule,
    ParsedService,
)
from kasane.participation.catalogue.hsds.schema import (
    FIELDS,
    TABLES,
    TAX_AREA,
    TAX_VACANCIES,
    Record,
)

__all__ = [
    "FIELDS",
    "MAX_UNPACKED_BYTES",
    "TABLES",
    "TAX_AREA",
    "TAX_VACANCIES",
    "ImportFileError",
    "ParsedResource",
    "ParsedSchedule",
    "ParsedService",
    "Record",
    "parse_service",
    "parse_services",
    "read_file",
    "records_from_json",
    "records_from_tables",
    "service_record",
    "to_csv_zip",
    "to_json",
]
