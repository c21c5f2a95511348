"""Cases, referrals and notes through the API: the case services and privacy selectors."""

import datetime
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kasane.api.tests.conftest import assert_error
from kasane.audit.models import AuditAction, AuditEvent
from kasane.cases import services
from kasane.cases.models import Case, CaseNote, ReferralStatus, TeamRole
from kasane.conftest import make_household
from kasane.privacy import services as privacy_services
from kasane.privacy.models import ConsentMethod, ConsentPurpose


@pytest.fixture
def case(caseworker, household):
    return services.case_open(actor=caseworker, household=household)


@pytest.fixture
def referral(case, caseworker, outsider):
    return services.referral_create(
        actor=caseworker,
        case=case,
        to_agency=outsider.agency,
        reason="障害の疑い",
        request="同行訪問",
    )


@pytest.mark.django_db
def test_agencies_list_active_agencies_by_public_id(api, caseworker, other_agency, third_agency):
    third_agency.is_active = False
    third_agency.save()
    response = api(caseworker).get("/agencies")
    assert response.status_code == 200
    ids = {a["id"] for a in response.json()}
    assert str(other_agency.public_id) in ids and str(third_agency.public_id) not in ids


@pytest.mark.django_db
def test_open_a_case(api, caseworker, household):
    response = api(caseworker).post("/cases", {"household_id": str(household.public_id)})
    assert response.status_code == 201, response.content
    body = response.json()
    case = Case.objects.get(public_id=body["id"])
    assert case.lead_agency == caseworker.agency and body["is_lead"] is True
    assert body["team"][0]["role"] == TeamRole.LEAD
    assert body["household_head"]["name"] == "草野 和夫"
    assert [e["kind"] for e in body["timeline"]["items"]] == ["opened"]


@pytest.mark.django_db
def test_case_detail_with_team_referrals_and_timeline(api, caseworker, case, referral):
    response = api(caseworker).get(f"/cases/{case.public_id}")
    assert response.status_code == 200
    body = response.json()
    assert body["number"] == case.number
    assert body["basis"] == "own_agency"
    assert body["referrals"][0]["id"] == str(referral.public_id)
    assert body["referrals"][0]["to_agency"]["name"] == referral.to_agency.name
    kinds = [e["kind"] for e in body["timeline"]["items"]]
    assert kinds == ["referral_requested", "opened"]
    assert body["timeline"]["items"][0]["referral_id"] == str(referral.public_id)
    assert body["members"][0]["relationship"] == "head"
    assert AuditEvent.objects.filter(
        action=AuditAction.VIEW, object_type="case", object_id=str(case.public_id)
    ).exists()


@pytest.mark.django_db
def test_case_list_is_mine_and_queries_do_not_grow(api, caseworker, agency, outsider):
    client = api(caseworker)
    services.case_open(actor=outsider, household=make_household(outsider.agency))

    def count():
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/cases")
            assert response.status_code == 200
        return len(queries), response.json()

    services.case_open(actor=caseworker, household=make_household(agency))
    client.get("/cases")
    one, body = count()
    assert len(body["items"]) == 1
    for i in range(4):
        services.case_open(
            actor=caseworker, household=make_household(agency, name=f"世帯 {i}", kana="セタイ")
        )
    five, body = count()
    assert len(body["items"]) == 5 and body["page"]["total"] == 5
    assert five == one
    assert body["items"][0]["lead_agency"]["id"] == str(agency.public_id)


@pytest.mark.django_db
def test_referral_closed_loop(api, caseworker, outsider, case):
    sender, receiver = api(caseworker), api(outsider)
    created = sender.post(
        "/referrals",
        {
            "case_id": str(case.public_id),
            "to_agency_id": str(outsider.agency.public_id),
            "reason": "障害の疑い",
            "request": "同行訪問",
        },
    )
    assert created.status_code == 201, created.content
    referral_id = created.json()["id"]
    assert created.json()["status"] == ReferralStatus.REQUESTED
    # The addressee sees the case while the referral is open.
    assert receiver.get(f"/cases/{case.public_id}").json()["basis"] == "referral"
    accepted = receiver.post(f"/referrals/{referral_id}/accept")
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["status"] == ReferralStatus.ACCEPTED
    assert accepted.json()["responded_by"] == str(outsider)
    completed = receiver.post(f"/referrals/{referral_id}/complete", {"outcome": "サービス利用開始"})
    assert completed.status_code == 200, completed.content
    assert completed.json()["status"] == ReferralStatus.COMPLETED
    assert sender.get(f"/referrals/{referral_id}").json()["outcome"] == "サービス利用開始"


@pytest.mark.django_db
def test_decline_then_accept_is_referral_answered(api, outsider, other_caseworker, referral):
    declined = api(outsider).post(
        f"/referrals/{referral.public_id}/decline", {"reason": "no_capacity", "note": "満員"}
    )
    assert declined.status_code == 200, declined.content
    assert declined.json()["status"] == ReferralStatus.DECLINED
    assert_error(
        api(other_caseworker).post(f"/referrals/{referral.public_id}/accept"),
        400,
        "referral_answered",
        "This referral was already declined by %(who)s.",
        {"who": str(outsider)},
    )


@pytest.mark.django_db
def test_decline_other_without_note_is_reason_required(api, outsider, referral):
    assert_error(
        api(outsider).post(f"/referrals/{referral.public_id}/decline", {"reason": "other"}),
        400,
        "reason_required",
    )


@pytest.mark.django_db
def test_referring_to_own_agency_is_refused(api, caseworker, case):
    assert_error(
        api(caseworker).post(
            "/referrals",
            {
                "case_id": str(case.public_id),
                "to_agency_id": str(caseworker.agency.public_id),
                "reason": "念のため",
                "request": "確認",
            },
        ),
        400,
        "referral_to_self",
        "You cannot refer to your own agency.",
    )


@pytest.mark.django_db
def test_the_sender_cannot_accept_its_own_referral(api, caseworker, referral):
    assert_error(api(caseworker).post(f"/referrals/{referral.public_id}/accept"), 404, "not_found")
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.REQUESTED


@pytest.mark.django_db
def test_outsiders_get_404_on_cases_and_referrals(api, caseworker, case, stranger, outsider):
    referral = services.referral_create(
        actor=caseworker, case=case, to_agency=stranger.agency, reason="困窮", request="家計相談"
    )
    client = api(outsider)
    for response in [
        client.get(f"/cases/{case.public_id}"),
        client.get(f"/cases/{case.public_id}/notes"),
        client.post(f"/cases/{case.public_id}/notes", {"kind": "memo", "text": "見てはいけない"}),
        client.post(
            "/referrals",
            {
                "case_id": str(case.public_id),
                "to_agency_id": str(stranger.agency.public_id),
                "reason": "x",
                "request": "y",
            },
        ),
        client.get(f"/referrals/{referral.public_id}"),
        client.post(f"/referrals/{referral.public_id}/accept"),
        client.post(f"/referrals/{referral.public_id}/decline", {"reason": "no_capacity"}),
        client.post(f"/referrals/{referral.public_id}/complete", {"outcome": "x"}),
        client.post("/cases", {"household_id": str(case.household.public_id)}),
    ]:
        body = assert_error(response, 404, "not_found")
        assert case.number not in str(body)
    assert client.get("/cases").json()["items"] == []
    assert not CaseNote.objects.exists()


@pytest.mark.django_db
def test_notes_agency_only_stay_in_the_agency(api, caseworker, outsider, case, referral):
    services.referral_accept(actor=outsider, referral=referral)
    ours, theirs = api(caseworker), api(outsider)
    team = ours.post(
        f"/cases/{case.public_id}/notes",
        {
            "kind": "visit",
            "text": "自宅訪問。母は元気。",
            # Before the case was opened (issue 14): with its reason, and not long before.
            "written_on": (timezone.localdate() - datetime.timedelta(days=2)).isoformat(),
            "backdate_reason": "受付前の訪問",
        },
    )
    assert team.status_code == 201, team.content
    assert team.json()["agency"]["id"] == str(caseworker.agency.public_id)
    private = ours.post(
        f"/cases/{case.public_id}/notes",
        {"kind": "memo", "text": "所内限りのメモ", "visibility": "agency"},
    )
    assert private.status_code == 201
    assert private.json()["written_on"] == timezone.localdate().isoformat()

    mine = ours.get(f"/cases/{case.public_id}/notes").json()["items"]
    assert [n["text"] for n in mine] == ["所内限りのメモ", "自宅訪問。母は元気。"]
    # On the team without a basis the notes are details, as on the case page: 404.
    assert theirs.get(f"/cases/{case.public_id}/notes").status_code == 404
    head = case.household.memberships.get().person
    privacy_services.consent_record(
        actor=caseworker,
        person=head,
        data=privacy_services.ConsentInput(
            purposes=[ConsentPurpose.INFORMATION_SHARING],
            method=ConsentMethod.WRITTEN,
            obtained_on=timezone.localdate(),
            agencies=[outsider.agency],
        ),
    )
    shown = theirs.get(f"/cases/{case.public_id}/notes").json()["items"]
    assert [n["text"] for n in shown] == ["自宅訪問。母は元気。"]
    timeline = theirs.get(f"/cases/{case.public_id}").json()["timeline"]["items"]
    assert "所内限りのメモ" not in str(timeline)
    assert AuditEvent.objects.filter(
        actor=outsider, object_type="case", detail__purpose="notes"
    ).exists()


@pytest.mark.django_db
def test_note_in_the_future_is_refused(api, caseworker, case):
    tomorrow = (timezone.localdate() + datetime.timedelta(days=2)).isoformat()
    assert_error(
        api(caseworker).post(
            f"/cases/{case.public_id}/notes",
            {"kind": "memo", "text": "明日", "written_on": tomorrow},
        ),
        400,
        "future",
    )


@pytest.mark.django_db
def test_malformed_id_is_invalid_input(api, caseworker):
    body = assert_error(api(caseworker).get("/cases/not-a-uuid"), 422, "invalid_input")
    assert "case_id" in body["fields"]


@pytest.mark.django_db
def test_referral_to_unknown_or_inactive_agency(api, caseworker, case, third_agency):
    client = api(caseworker)
    body = {"case_id": str(case.public_id), "reason": "困窮", "request": "家計相談"}
    missing = assert_error(
        client.post("/referrals", {**body, "to_agency_id": str(uuid.uuid4())}),
        400,
        "invalid_fields",
    )
    assert missing["fields"]["to_agency_id"][0]["code"] == "unknown_agency"
    third_agency.is_active = False
    third_agency.save()
    assert_error(
        client.post("/referrals", {**body, "to_agency_id": str(third_agency.public_id)}),
        400,
        "agency_inactive",
    )


@pytest.mark.django_db
def test_coordinator_reads_a_case_sent_to_coordination(
    api, caseworker, coordinator, stranger, case
):
    services.case_send_to_coordination(actor=caseworker, case=case, reason="8050の複合課題")
    response = api(coordinator).get(f"/cases/{case.public_id}")
    assert response.status_code == 200
    assert response.json()["basis"] == "coordination"
    assert_error(api(stranger).get(f"/cases/{case.public_id}"), 404, "not_found")
