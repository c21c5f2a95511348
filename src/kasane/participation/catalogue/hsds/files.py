"""The files an import reads: JSON, or the tabular package as a ZIP of CSV files."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from kasane.participation.catalogue.hsds.reader import Faults, ImportFileError, text_of
from kasane.participation.catalogue.hsds.schema import FIELDS, TABLES, Record


def records_from_json(data: bytes) -> Any:
    try:
        return json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ImportFileError(_("The file is not JSON: %(error)s") % {"error": error}) from None


def _read_csv(name: str, data: bytes, faults: Faults) -> list[Record]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp932", errors="replace")
    reader = csv.DictReader(io.StringIO(text))
    kind = TABLES[name][0]
    allowed = FIELDS[kind] - {"attributes", "metadata"} | (
        {"taxonomy_term"} if kind == "attribute" else set()
    )
    for column in reader.fieldnames or []:
        if column not in allowed:
            faults.add(
                _("%(file)s row %(n)d") % {"file": name, "n": 1},
                column,
                _("is not a field of an HSDS 3.0 %(object)s") % {"object": kind},
            )
    rows = []
    for n, row in enumerate(reader, start=2):
        row = {k: v for k, v in row.items() if k in allowed and k is not None}
        row["_where"] = _("%(file)s row %(n)d") % {"file": name, "n": n}
        rows.append(row)
    return rows


def records_from_tables(files: Mapping[str, bytes]) -> tuple[list[Record], list[str]]:
    """The HSDS tabular package back into nested service records; faults of the files."""
    faults = Faults()
    for name in files:
        if name not in TABLES and name != "datapackage.json":
            faults.add(name, "", _("is not a file of the HSDS tabular package"))
    if "services.csv" not in files:
        return [], [*faults.messages, _("The package has no services.csv.")]
    tables = {name: _read_csv(name, data, faults) for name, data in files.items() if name in TABLES}

    def by(name: str, key: str) -> dict[str, list[Record]]:
        index: dict[str, list[Record]] = defaultdict(list)
        for row in tables.get(name, []):
            index[text_of(row.get(key))].append(row)
        return index

    organizations = {text_of(r.get("id")): r for r in tables.get("organizations.csv", [])}
    locations = {text_of(r.get("id")): r for r in tables.get("locations.csv", [])}
    terms = {text_of(r.get("id")): r for r in tables.get("taxonomy_terms.csv", [])}
    phones_s, phones_o = by("phones.csv", "service_id"), by("phones.csv", "organization_id")
    schedules = by("schedules.csv", "service_id")
    sals = by("service_at_locations.csv", "service_id")
    addresses, accessibility = (
        by("addresses.csv", "location_id"),
        by("accessibility.csv", "location_id"),
    )
    languages, costs = by("languages.csv", "service_id"), by("cost_options.csv", "service_id")
    attributes = by("attributes.csv", "link_id")

    def strip(row: Record, *keys: str) -> Record:
        return {k: v for k, v in row.items() if k not in keys}

    records = []
    for row in tables["services.csv"]:
        sid = text_of(row.get("id"))
        service = dict(row)
        org = organizations.get(text_of(row.get("organization_id")))
        if org is not None:
            service["organization"] = {
                **org,
                "phones": [
                    strip(p, "_where")
                    for p in phones_o[org["id"]]
                    if not text_of(p.get("service_id"))
                ],
            }
        service["phones"] = phones_s.get(sid, [])
        service["schedules"] = schedules.get(sid, [])
        service["service_at_locations"] = []
        for sal in sals.get(sid, []):
            sal = dict(sal)
            loc = locations.get(text_of(sal.get("location_id")))
            if loc is not None:
                sal["location"] = {
                    **loc,
                    "addresses": addresses.get(loc["id"], []),
                    "accessibility": accessibility.get(loc["id"], []),
                }
            service["service_at_locations"].append(sal)
        service["languages"] = languages.get(sid, [])
        service["cost_options"] = costs.get(sid, [])
        service["attributes"] = []
        for attribute in attributes.get(sid, []):
            attribute = dict(attribute)
            term = terms.get(text_of(attribute.get("taxonomy_term_id")))
            if term is not None:
                attribute["taxonomy_term"] = strip(term, "_where")
            service["attributes"].append(attribute)
        records.append(service)
    return records, faults.messages


# What a catalogue's CSV files may add up to once unpacked: far above any real catalogue.
MAX_UNPACKED_BYTES = 200 * 1024 * 1024


def read_file(name: str, data: bytes) -> tuple[Any, list[str]]:
    """Records from an uploaded or named file: ``.json``, or a ``.zip`` of HSDS CSV files.

    A single ``services.csv`` is read as a package of one file.
    """
    lower = name.lower()
    if lower.endswith(".json"):
        return records_from_json(data), []
    if lower.endswith(".csv"):
        return records_from_tables({name.rsplit("/", 1)[-1]: data})
    if lower.endswith(".zip"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                # A small archive may unpack to gigabytes (a "zip bomb"): refuse it by
                # the sizes its directory declares, before reading a byte of it.
                if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED_BYTES:
                    raise ImportFileError(_("The ZIP archive unpacks to too much data."))
                files = {
                    info.filename.rsplit("/", 1)[-1]: archive.read(info)
                    for info in archive.infolist()
                    if not info.is_dir() and info.file_size < 50_000_000
                }
        except zipfile.BadZipFile:
            raise ImportFileError(_("The file is not a ZIP archive.")) from None
        return records_from_tables(files)
    raise ImportFileError(_("Give a .json file or a .zip of HSDS CSV files."))
