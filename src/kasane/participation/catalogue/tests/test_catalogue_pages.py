"""Catalogue pages (staff and public) and the catalogue API."""

from __future__ import annotations

import datetime
import io
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kasane.accounts.models import Role, Staff
from kasane.api.services import api_token_create
from kasane.audit.models import AuditEvent, LegalBasis
from kasane.conftest import AreaFactory, StaffFactory
from kasane.participation.catalogue import hsds
from kasane.participation.catalogue.tests.catalogue_factories import make_place
from kasane.participation.models import Opportunity, OpportunityStatus
from kasane.registry.models import Area, AreaKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker() -> Staff:
    return StaffFactory.create(username="sanka", role=Role.PARTICIPATION_WORKER)


@pytest.fixture
def areas() -> dict[str, Area]:
    city = AreaFactory.create(code="K", name="かさね市", kind=AreaKind.CITY)
    north = AreaFactory.create(code="K1", name="北部圏域", kind=AreaKind.SPHERE, parent=city)
    south = AreaFactory.create(code="K2", name="南部圏域", kind=AreaKind.SPHERE, parent=city)
    d1 = AreaFactory.create(
        code="K11", name="北中学校区", kind=AreaKind.SCHOOL_DISTRICT, parent=north
    )
    d2 = AreaFactory.create(
        code="K21", name="南中学校区", kind=AreaKind.SCHOOL_DISTRICT, parent=south
    )
    b1 = AreaFactory.create(code="K1101", name="北町", kind=AreaKind.BLOCK, parent=d1)
    b2 = AreaFactory.create(code="K2101", name="南町", kind=AreaKind.BLOCK, parent=d2)
    return {"north": north, "south": south, "b1": b1, "b2": b2}


def rows(worker: Staff, areas: dict[str, Area], n: int) -> None:
    for i in range(n):
        make_place(
            worker,
            name=f"サロン{i}",
            kinds=("salon",) if i % 2 else ("ibasho", "volunteer"),
            area=areas["b1"] if i % 2 else areas["b2"],
            host=f"団体{i % 3}",
        )


def test_staff_list_filters_by_kind_area_and_stale(
    worker: Staff, areas: dict[str, Area], login: Callable[[Staff], Client]
) -> None:
    make_place(worker, name="北のサロン", kinds=("salon",), area=areas["b1"])
    make_place(worker, name="南の居場所", kinds=("ibasho",), area=areas["b2"])
    old = timezone.localdate() - datetime.timedelta(days=200)
    make_place(worker, name="古い情報の農園", kinds=("volunteer",), area=areas["b2"], today=old)
    client = login(worker)
    url = reverse("participation:opportunity_list")
    page = client.get(url).content.decode()
    assert "北のサロン" in page and "南の居場所" in page and 'data-testid="stale-count"' in page
    by_kind = client.get(url, {"kind": "salon"}).content.decode()
    assert "北のサロン" in by_kind and "南の居場所" not in by_kind
    by_area = client.get(url, {"area": areas["south"].pk}).content.decode()
    assert "南の居場所" in by_area and "北のサロン" not in by_area
    stale = client.get(url, {"stale": "on"}).content.decode()
    assert "古い情報の農園" in stale and "南の居場所" not in stale


@pytest.mark.parametrize("n", [2, 12])
def test_list_pages_query_count_does_not_grow(
    n: int,
    worker: Staff,
    areas: dict[str, Area],
    login: Callable[[Staff], Client],
    django_assert_max_num_queries: Any,
) -> None:
    rows(worker, areas, n)
    client = login(worker)
    anonymous = Client()
    with django_assert_max_num_queries(14):
        assert client.get(reverse("participation:opportunity_list")).status_code == 200
    with django_assert_max_num_queries(8):
        assert anonymous.get(reverse("catalogue:list"), {"kind": "salon"}).status_code == 200


def test_editor_creates_edits_and_marks_checked(
    worker: Staff, areas: dict[str, Area], login: Callable[[Staff], Client]
) -> None:
    client = login(worker)
    response = client.post(
        reverse("participation:opportunity_create"),
        {
            "resource_name": "NPO法人 えんがわ",
            "name": "多世代交流拠点「えんがわ」",
            "kinds": ["multigenerational", "ibasho"],
            "status": "active",
            "area": areas["b1"].pk,
            "languages": ["ja"],
            "accessibility": ["wheelchair"],
            "freq": "MONTHLY",
            "interval": "1",
            "byday": "2tu, 4tu",
            "opens_at": "10:00",
            "closes_at": "12:00",
            "capacity": "20",
            "vacancies": "5",
        },
    )
    assert response.status_code == 302, response.content.decode()
    place = Opportunity.objects.get()
    assert place.resource.name == "NPO法人 えんがわ"
    detail = client.get(response["Location"]).content.decode()
    assert "毎月第2・第4火曜 10:00〜12:00" in detail
    # A bad schedule comes back on the form, field by field.
    edit = reverse("participation:opportunity_edit", args=[place.public_id])
    form = client.get(edit)
    assert form.status_code == 200
    data = {k: v for k, v in form.context["form"].initial.items() if v is not None}
    data.update(byday="2TUE", freq="MONTHLY", area=areas["b1"].pk, kinds=["ibasho"])
    bad = client.post(edit, data)
    assert bad.status_code == 200 and "2TUE" in bad.content.decode()
    data.update(byday="-1FR", name="えんがわ")
    assert client.post(edit, data).status_code == 302
    place.refresh_from_db()
    assert place.name == "えんがわ" and place.schedules.get().byday == "-1FR"
    Opportunity.objects.filter(pk=place.pk).update(checked_on=datetime.date(2020, 1, 1))
    client.post(
        reverse("participation:opportunity_checked", args=[place.public_id]), {"vacancies": "0"}
    )
    place.refresh_from_db()
    assert place.checked_on == timezone.localdate() and place.vacancies == 0 and not place.is_stale
    events = AuditEvent.objects.filter(object_type="participation.opportunity")
    assert events.count() == 3 and {e.legal_basis for e in events} == {LegalBasis.NONE}


def test_who_may_read_and_edit(
    worker: Staff, caseworker: Staff, analyst: Staff, login: Callable[[Staff], Client]
) -> None:
    place = make_place(worker)
    assert login(caseworker).get(reverse("participation:opportunity_list")).status_code == 200
    assert login(caseworker).get(reverse("participation:opportunity_create")).status_code == 403
    edit = reverse("participation:opportunity_edit", args=[place.public_id])
    assert login(caseworker).post(edit, {"name": "x"}).status_code == 403
    assert login(analyst).get(reverse("participation:opportunity_list")).status_code == 404
    anonymous = Client().get(reverse("participation:opportunity_list"))
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


def test_upload_import_and_download_export(worker: Staff, login: Callable[[Staff], Client]) -> None:
    make_place(worker)
    client = login(worker)
    exported = client.get(reverse("participation:catalogue_export", args=["json"]))
    assert exported["Content-Disposition"].startswith("attachment")
    records = json.loads(exported.content)
    records[0]["name"] = "名前を変えた居場所"
    upload = io.BytesIO(json.dumps(records).encode())
    upload.name = "catalogue.json"
    response = client.post(reverse("participation:catalogue_import"), {"file": upload})
    assert response.status_code == 302
    assert Opportunity.objects.get().name == "名前を変えた居場所"
    records[0]["schedules"][0]["freq"] = "DAILY"
    upload = io.BytesIO(json.dumps(records).encode())
    upload.name = "catalogue.json"
    refused = client.post(reverse("participation:catalogue_import"), {"file": upload})
    assert refused.status_code == 200
    assert (
        "freq" in refused.content.decode()
        and 'data-testid="import-faults"' in refused.content.decode()
    )
    csv = client.get(reverse("participation:catalogue_export", args=["csv"]))
    assert csv["Content-Type"] == "application/zip"


def test_public_pages_need_no_login_and_hide_the_defunct(worker: Staff) -> None:
    place = make_place(worker, name="公開される居場所")
    gone = make_place(worker, name="閉じた教室", status=OpportunityStatus.DEFUNCT)
    client = Client()
    page = client.get(reverse("catalogue:list")).content.decode()
    assert "公開される居場所" in page and "閉じた教室" not in page
    detail = client.get(reverse("catalogue:detail", args=[place.public_id]))
    assert detail.status_code == 200 and "毎月第2・第4火曜" in detail.content.decode()
    assert worker.display_name not in detail.content.decode()
    assert client.get(reverse("catalogue:detail", args=[gone.public_id])).status_code == 404


def _api(staff: Staff) -> Client:
    _record, token = api_token_create(staff=staff, name="test")
    return Client(headers={"Authorization": f"Bearer {token}"})


def test_api_reads_hsds_with_modified_after_and_writes_for_editors(
    worker: Staff, caseworker: Staff
) -> None:
    first = make_place(worker, name="一つ目")
    cut = timezone.now()
    Opportunity.objects.filter(pk=first.pk).update(updated_at=cut - datetime.timedelta(hours=1))
    second = make_place(worker, name="二つ目")
    reader = _api(caseworker)
    page = reader.get("/api/v1/opportunities").json()
    assert page["total_items"] == 2 and page["contents"][0]["id"] == str(first.public_id)
    recent = reader.get("/api/v1/opportunities", {"modified_after": cut.isoformat()}).json()
    assert [s["id"] for s in recent["contents"]] == [str(second.public_id)]
    record = reader.get(f"/api/v1/opportunities/{second.public_id}").json()
    assert record["name"] == "二つ目" and record["schedules"][0]["byday"] == "2TU,4TU"
    record["name"] = "二つ目（改）"
    url = f"/api/v1/opportunities/{second.public_id}"
    assert reader.put(url, record, content_type="application/json").status_code == 404
    editor = _api(worker)
    saved = editor.put(url, record, content_type="application/json")
    assert saved.status_code == 200 and saved.json()["name"] == "二つ目（改）"
    record["schedules"][0]["byday"] = "9ZZ"
    refused = editor.put(url, record, content_type="application/json")
    assert refused.status_code == 400 and "9ZZ" in refused.content.decode()
    checked = editor.post(f"{url}/checked", {"vacancies": 0}, content_type="application/json")
    assert checked.status_code == 200
    assert [
        a["value"]
        for a in checked.json()["attributes"]
        if a["taxonomy_term"]["taxonomy"] == hsds.TAX_VACANCIES
    ] == ["0"]


def test_stale_after_six_months() -> None:
    from kasane.participation.models import stale_before

    assert stale_before(datetime.date(2026, 8, 31)) == datetime.date(2026, 2, 28)
    assert stale_before(datetime.date(2026, 3, 15)) == datetime.date(2025, 9, 15)
