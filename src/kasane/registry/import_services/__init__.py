"""Importing households and persons from a 住民記録 (resident register) file.

Who may import: a coordinator of a municipal office (``AgencyType.MUNICIPALITY``). The
resident register is the municipality's own record, and what is imported is registered by
the importer's agency, so it is visible to that office and, as always, to other agencies
only on a recorded basis (a case, consent, a pledged 支援会議). Administrators never: they
manage accounts and master data and must not read personal data (``accounts.models``);
caseworkers of other agencies neither: the register is not theirs to copy.

The rules, enforced by :func:`residents_import`:

* All or nothing: one transaction per file; any refused row refuses the file, and the
  worker gets every reason with its line number.
* Idempotent: a person is found by 宛名番号 (``Person.resident_number``), a household by
  世帯番号 (``Household.register_number``). A row equal to what is stored writes nothing,
  not even ``updated_at``; importing the same file twice changes nothing the second time.
* A changed row updates the person: name, kana, date of birth and sex are corrected (and
  the search tokens recomputed by the registry's own normaliser); a new 世帯番号 moves the
  person (the old membership ends on the 異動日, a new one starts), a new 続柄 is set on
  the current membership; a household's address (and so its 町丁目) follows the file.
* Audited: one event per created or changed household and person, and one for the file
  with its counts (never its content), all in the same transaction.
"""

from kasane.registry.import_services.areas import AreaMatcher
from kasane.registry.import_services.results import ImportResult, ResidentImportError
from kasane.registry.import_services.run import file_digest, may_import_residents, residents_import

__all__ = [
    "AreaMatcher",
    "ImportResult",
    "ResidentImportError",
    "file_digest",
    "may_import_residents",
    "residents_import",
]
