"""Places registry, area view and community issues through the pages: who sees what, what
is written, and how it is counted."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from kasane.community import services
from kasane.community.models import CommunityIssue, IssueStatus, PlaceKind
from kasane.community.selectors import places_by_area
from kasane.core.dates import current_fiscal_year, fiscal_year_bounds
from kasane.registry.models import AreaKind

pytestmark = pytest.mark.django_db

AREA_VIEW = reverse("community:area_view")
PLACES = reverse("community:place_list")
ISSUES = reverse("community:issues")


# --- who sees what ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "areas", "places", "issues", "new_place"),
    [
        ("caseworker", 200, 200, 200, 200),
        ("coordinator", 200, 200, 200, 200),
        ("analyst", 200, 200, 200, 404),
        ("volunteer", 200, 200, 404, 404),
        ("auditor", 404, 404, 404, 404),
        ("admin_user", 404, 404, 404, 404),
    ],
)
def test_who_sees_what(city, persona, areas, places, issues, new_place, request, login) -> None:
    client = login(request.getfixturevalue(persona))
    assert client.get(AREA_VIEW).status_code == areas
    assert client.get(PLACES).status_code == places
    assert client.get(ISSUES).status_code == issues
    assert client.get(reverse("community:place_create")).status_code == new_place
    assert client.get(reverse("community:issue_create")).status_code == (
        404 if new_place == 404 else 200
    )


def test_anonymous_visitors_are_sent_to_sign_in(city, client) -> None:
    assert client.get(AREA_VIEW).status_code == 302


def test_only_staff_who_work_cases_open_an_issue(city, caseworker, analyst, volunteer, login):
    issue = services.issue_create(
        actor=caseworker,
        area=city["北中学校区"],
        fiscal_year=current_fiscal_year(),
        title="買い物が不便",
        description="スーパーの閉店で買い物に困る高齢者が多い。",
    )
    url = reverse("community:issue_detail", args=[issue.public_id])
    assert login(caseworker).get(url).status_code == 200
    assert login(analyst).get(url).status_code == 404
    assert login(volunteer).get(url).status_code == 404


# --- places -------------------------------------------------------------------------------


def test_register_a_place_through_the_page(city, caseworker, login) -> None:
    response = login(caseworker).post(
        reverse("community:place_create"),
        {
            "name": "ふれあいいきいきサロン北町",
            "kind": PlaceKind.SALON,
            "area": city["北町"].pk,
            "organizer": "北町自治会",
            "organizer_type": "residents",
            "frequency": "monthly",
            "schedule": "第1水曜 10:00–12:00",
            "started_on": "2020-04-01",
        },
    )
    assert response.status_code == 302
    page = login(caseworker).get(response["Location"]).content.decode()
    assert "ふれあいいきいきサロン北町" in page and "令和2年4月1日" in page


def test_a_place_lies_in_a_district_or_block_and_once_per_area(city, add_place) -> None:
    add_place(city["北町"], "サロン")
    with pytest.raises(ValidationError) as error:
        add_place(city["北町"], "サロン")
    assert error.value.error_dict["name"][0].code == "duplicate_place"
    with pytest.raises(ValidationError) as error:
        add_place(city["北部圏域"], "広すぎる")
    assert error.value.error_dict["area"][0].code == "area_too_large"
    add_place(city["上野"], "サロン")  # another area: fine


def test_the_list_filters_by_area_with_the_areas_inside_it(city, add_place, volunteer, login):
    add_place(city["北町"], "北町サロン")
    add_place(city["桜台"], "桜台こども食堂", kind=PlaceKind.CHILDREN_CAFETERIA)
    add_place(city["南町"], "南町サロン")
    client = login(volunteer)
    names = lambda **q: [p.name for p in client.get(PLACES, q).context["page"]]  # noqa: E731
    assert names(area=city["北部圏域"].pk) == ["北町サロン", "桜台こども食堂"]
    assert names(area=city["南中学校区"].pk) == ["南町サロン"]
    assert names(kind=PlaceKind.CHILDREN_CAFETERIA) == ["桜台こども食堂"]
    # A volunteer reads the registry but registers nothing.
    assert "place-new" not in client.get(PLACES).content.decode()


def test_area_view_counts_places_per_area_and_year(city, add_place, caseworker, login) -> None:
    year = current_fiscal_year()
    first, _ = fiscal_year_bounds(year)
    add_place(city["北町"], "A", kind=PlaceKind.SALON)
    add_place(city["上野"], "B", kind=PlaceKind.MULTIGENERATIONAL_HUB)
    add_place(city["北中学校区"], "C", kind=PlaceKind.SALON)
    ended = add_place(city["南町"], "D", started_on=first - datetime.timedelta(days=400))
    services.place_end(actor=caseworker, place=ended, ended_on=first - datetime.timedelta(days=1))
    by_district = places_by_area(level=AreaKind.SCHOOL_DISTRICT, year=year)
    counts = {r.area.name: r.total for r in by_district.rows}
    assert counts == {"北中学校区": 3, "桜中学校区": 0, "南中学校区": 0}
    assert [r.hubs for r in by_district.rows] == [1, 0, 0]
    # Last year the ended place still met.
    last = places_by_area(level=AreaKind.SPHERE, year=year - 1)
    assert {r.area.name: r.total for r in last.rows} == {"北部圏域": 3, "南部圏域": 1}

    html = login(caseworker).get(AREA_VIEW, {"level": "school_district"}).content.decode()
    assert "<svg" in html and 'role="img"' in html
    assert 'class="no-hub"' in html  # 桜 and 南 have no 多世代交流拠点
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")


# --- issues -------------------------------------------------------------------------------


def test_record_an_issue_its_discussion_and_actions(city, caseworker, login) -> None:
    client = login(caseworker)
    year = current_fiscal_year()
    response = client.post(
        reverse("community:issue_create"),
        {
            "area": city["北中学校区"].pk,
            "fiscal_year": year,
            "title": "子どもの居場所が足りない",
            "description": "放課後に過ごせる場がない。",
        },
    )
    assert response.status_code == 302
    issue = CommunityIssue.objects.get()
    url = response["Location"]
    today = timezone.localdate().isoformat()
    assert (
        client.post(
            url,
            {"step": "discussion", "held_on": today, "forum": "地域ケア会議", "summary": "共有"},
        ).status_code
        == 302
    )
    assert (
        client.post(
            url, {"step": "action", "who": "社協 CSW", "what": "空き店舗を探す"}
        ).status_code
        == 302
    )
    issue.refresh_from_db()
    assert issue.status == IssueStatus.IN_PROGRESS  # an action means work has begun
    action = issue.actions.get()
    assert (
        client.post(
            url, {"step": "action_status", "action_id": str(action.public_id), "status": "done"}
        ).status_code
        == 302
    )
    action.refresh_from_db()
    assert action.status == "done" and action.done_on == timezone.localdate()
    assert client.post(url, {"step": "status", "status": "resolved"}).status_code == 302
    page = client.get(url).content.decode()
    assert "地域ケア会議" in page and "空き店舗を探す" in page
    listing = client.get(ISSUES).content.decode()
    assert "子どもの居場所が足りない" in listing


def test_a_discussion_in_the_future_is_refused_on_the_form(city, caseworker, login) -> None:
    issue = services.issue_create(
        actor=caseworker,
        area=city["北部圏域"],
        fiscal_year=current_fiscal_year(),
        title="t",
        description="d",
    )
    url = reverse("community:issue_detail", args=[issue.public_id])
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    response = login(caseworker).post(
        url, {"step": "discussion", "held_on": tomorrow, "forum": "f", "summary": "s"}
    )
    assert response.status_code == 200
    assert response.context["discussion_form"].errors["held_on"]


def test_an_issue_is_for_a_sphere_or_district(city, caseworker) -> None:
    with pytest.raises(ValidationError) as error:
        services.issue_create(
            actor=caseworker,
            area=city["北町"],
            fiscal_year=current_fiscal_year(),
            title="t",
            description="d",
        )
    assert error.value.error_dict["area"][0].code == "area_level"


def test_the_functions_menu_leads_here(caseworker, login) -> None:
    response = login(caseworker).get(reverse("core:function_pending", args=["community"]))
    assert response.status_code == 302 and response["Location"] == AREA_VIEW
