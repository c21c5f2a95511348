"""The legal basis of access (DESIGN.md): a team agency reads a case's details only on a
recorded basis — consent, a pledged 支援会議, or break-glass — and otherwise sees only that
the case exists and who leads it. Consent pages and the break-glass review are here too."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import resolve_url
from django.utils import timezone

from kasane.accounts.models import AgencyType, Notification, Staff
from kasane.api.tests.conftest import api  # noqa: F401 - the API client fixture
from kasane.audit.models import AuditEvent, LegalBasis
from kasane.cases import services as case_services
from kasane.conftest import head_of
from kasane.privacy import services
from kasane.privacy.cases import detail_basis, require_case_details
from kasane.privacy.models import BreakGlass, Consent, ConsentPurpose

pytestmark = pytest.mark.django_db

NAME = "草野 和夫"


@pytest.fixture
def team_case(open_case: Any, caseworker: Staff, outsider: Staff, refer: Any) -> Any:
    """A case led by the caseworker's agency, with the outsider's agency on its team."""
    referral = refer(caseworker, open_case, outsider.agency)
    case_services.referral_accept(actor=outsider, referral=referral)
    return open_case


def case_page(login: Any, staff: Staff, case: Any) -> str:
    response = login(staff).get(resolve_url("cases:case_detail", case.public_id))
    assert response.status_code == 200
    return str(response.content.decode())


# --- without a basis ------------------------------------------------------------------------


def test_team_agency_without_basis_sees_only_existence_and_lead(team_case, outsider, login):
    assert detail_basis(outsider, team_case) is None
    body = case_page(login, outsider, team_case)
    assert team_case.number in body
    assert "中央地域包括支援センター" in body  # who leads
    assert 'data-testid="no-basis"' in body
    assert NAME not in body
    assert 'data-testid="timeline"' not in body
    with pytest.raises(PermissionDenied):
        require_case_details(outsider, team_case)
    event = AuditEvent.objects.filter(actor=outsider, object_type="case").first()
    assert event is not None
    assert event.legal_basis == LegalBasis.CASE_TEAM
    assert event.detail.get("existence_only") is True


def test_case_list_and_api_withhold_the_name_without_basis(team_case, outsider, login, api):
    body = login(outsider).get(resolve_url("cases:case_list")).content.decode()
    assert team_case.number in body and NAME not in body
    data = api(outsider).get(f"/cases/{team_case.public_id}").json()
    assert data["details"] is False
    assert data["members"] == [] and data["timeline"]["items"] == []
    assert data["household_head"] is None


def test_lead_agency_reads_on_its_own_record(team_case, caseworker, login):
    assert detail_basis(caseworker, team_case) == LegalBasis.OWN_AGENCY
    assert NAME in case_page(login, caseworker, team_case)


def test_outsider_gets_404_whatever_the_basis_of_others(team_case, stranger, login):
    response = login(stranger).get(resolve_url("cases:case_detail", team_case.public_id))
    assert response.status_code == 404
    assert detail_basis(stranger, team_case) is None


# --- consent --------------------------------------------------------------------------------


def test_consent_gives_details_and_withdrawal_takes_them_away_at_once(
    team_case, caseworker, outsider, login, give_consent
):
    consent = give_consent(team_case.household, outsider.agency)
    assert detail_basis(outsider, team_case) == LegalBasis.CONSENT
    body = case_page(login, outsider, team_case)
    assert NAME in body and 'data-testid="no-basis"' not in body
    event = AuditEvent.objects.filter(actor=outsider, object_type="case").first()
    assert event is not None and event.legal_basis == LegalBasis.CONSENT

    response = login(caseworker).post(
        resolve_url("privacy:consent_withdraw", consent.public_id),
        {"note": "本人の申し出", "entirely": "on", "confirm": "True"},
    )
    assert response.status_code == 302
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None
    assert detail_basis(outsider, team_case) is None
    assert NAME not in case_page(login, outsider, team_case)


def test_consent_by_agency_type_covers_every_agency_of_that_type(team_case, outsider, give_consent):
    outsider.agency.agency_type = AgencyType.DISABILITY_SUPPORT
    outsider.agency.save()
    give_consent(team_case.household, agency_types=[AgencyType.DISABILITY_SUPPORT])
    assert detail_basis(outsider, team_case) == LegalBasis.CONSENT


def test_consent_for_another_purpose_is_no_basis_to_read(team_case, outsider, give_consent):
    give_consent(team_case.household, outsider.agency, purposes=(ConsentPurpose.PARTICIPATION,))
    assert detail_basis(outsider, team_case) is None


def test_expired_consent_is_no_basis(team_case, outsider, give_consent):
    today = timezone.localdate()
    give_consent(
        team_case.household,
        outsider.agency,
        obtained_on=today - datetime.timedelta(days=400),
        expires_on=today - datetime.timedelta(days=1),
    )
    assert detail_basis(outsider, team_case) is None


def test_consent_page_records_and_lists_the_consent_in_force(
    household, caseworker, other_agency, login
):
    person = head_of(household)
    client = login(caseworker)
    url = resolve_url("privacy:consent_create", person.public_id)
    assert "同意" in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "purposes": [ConsentPurpose.INFORMATION_SHARING, ConsentPurpose.INTEGRATED_MEETING],
            "agencies": [other_agency.pk],
            "method": "written",
            "obtained_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 302
    consent = Consent.objects.get(person=person)
    assert consent.purposes == sorted(
        [ConsentPurpose.INFORMATION_SHARING, ConsentPurpose.INTEGRATED_MEETING]
    )
    body = client.get(resolve_url("registry:person_detail", person.public_id)).content.decode()
    assert "有効な同意" in body and other_agency.name in body
    assert AuditEvent.objects.filter(object_type="consent", action="create").exists()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"obtained_on": "2999-01-01"}, "obtained_on", "未来"),
        ({"method": "proxy"}, "proxy_name", "代理人"),
        ({"agencies": []}, "agencies", "機関"),
        ({"expires_on": "2000-01-01"}, "expires_on", "有効期限"),
    ],
)
def test_bad_consent_is_refused_with_a_clear_message(
    household, caseworker, other_agency, login, changes, field, message
):
    person = head_of(household)
    data: dict[str, Any] = {
        "purposes": [ConsentPurpose.INFORMATION_SHARING],
        "agencies": [other_agency.pk],
        "method": "written",
        "obtained_on": timezone.localdate().isoformat(),
    }
    data.update(changes)
    response = login(caseworker).post(resolve_url("privacy:consent_create", person.public_id), data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors, errors
    assert any(message in str(e) for e in errors[field]), errors[field]
    assert not Consent.objects.exists()


def test_outsider_cannot_record_or_withdraw_a_consent(
    household, stranger, login, give_consent, other_agency
):
    person = head_of(household)
    client = login(stranger)
    assert client.get(resolve_url("privacy:consent_create", person.public_id)).status_code == 404
    consent = give_consent(household, other_agency)
    url = resolve_url("privacy:consent_withdraw", consent.public_id)
    assert client.post(url, {"note": ""}).status_code == 404
    consent.refresh_from_db()
    assert consent.withdrawn_at is None


def test_withdrawing_twice_is_refused(household, caseworker, give_consent, other_agency):
    consent = give_consent(household, other_agency)
    services.consent_withdraw(actor=caseworker, consent=consent)
    with pytest.raises(ValidationError):
        services.consent_withdraw(actor=caseworker, consent=consent)


# --- break-glass ----------------------------------------------------------------------------


@pytest.fixture
def overseers(coordinator: Staff, auditor: Staff) -> list[Staff]:
    return [coordinator, auditor]


def test_break_glass_needs_a_reason(team_case, outsider):
    with pytest.raises(ValidationError):
        services.break_glass_start(actor=outsider, case=team_case, reason="急ぎ")
    assert not BreakGlass.objects.exists()


def test_break_glass_opens_details_for_24_hours_and_tells_the_overseers(
    team_case, outsider, overseers, login
):
    response = login(outsider).post(
        resolve_url("privacy:break_glass_start", team_case.public_id),
        {"reason": "本人と連絡が取れず、室内で倒れている可能性がある。"},
    )
    assert response.status_code == 302
    glass = BreakGlass.objects.get()
    assert glass.expires_at - glass.started_at == datetime.timedelta(hours=24)
    assert detail_basis(outsider, team_case) == LegalBasis.BREAK_GLASS
    body = case_page(login, outsider, team_case)
    assert NAME in body and 'data-testid="break-glass-running"' in body
    event = AuditEvent.objects.filter(actor=outsider, object_type="case").first()
    assert event is not None and event.legal_basis == LegalBasis.BREAK_GLASS
    for staff in overseers:
        note = Notification.objects.get(recipient=staff)
        assert team_case.number in note.message
        assert NAME not in note.message  # no personal data in notifications
        home = login(staff).get("/").content.decode()
        assert team_case.number in home
    # A second start while it runs is refused.
    with pytest.raises(ValidationError):
        services.break_glass_start(
            actor=outsider, case=team_case, reason="本人と連絡が取れず、再度の確認が必要。"
        )

    later = glass.started_at + datetime.timedelta(hours=24, seconds=1)
    assert detail_basis(outsider, team_case, at=later) is None
    assert detail_basis(outsider, team_case, at=later - datetime.timedelta(seconds=2)) == (
        LegalBasis.BREAK_GLASS
    )


def test_expired_break_glass_closes_the_page_again(team_case, outsider, login):
    services.break_glass_start(
        actor=outsider, case=team_case, reason="本人と連絡が取れず、安否確認が必要。"
    )
    assert NAME in case_page(login, outsider, team_case)
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=24, seconds=1)):
        assert NAME not in case_page(login, outsider, team_case)


def test_stranger_cannot_break_glass(team_case, stranger, login):
    url = resolve_url("privacy:break_glass_start", team_case.public_id)
    assert login(stranger).post(url, {"reason": "x" * 20}).status_code == 404
    with pytest.raises(PermissionDenied):
        services.break_glass_start(actor=stranger, case=team_case, reason="x" * 20)
    assert not BreakGlass.objects.exists()


def test_each_use_is_reviewed_by_someone_else(team_case, outsider, overseers, login):
    glass = services.break_glass_start(
        actor=outsider, case=team_case, reason="本人と連絡が取れず、安否確認が必要。"
    )
    auditor = overseers[1]
    listing = login(auditor).get(resolve_url("privacy:break_glass_list"))
    assert listing.status_code == 200
    assert team_case.number in listing.content.decode()
    assert login(outsider).get(resolve_url("privacy:break_glass_list")).status_code == 403
    url = resolve_url("privacy:break_glass_review", glass.public_id)
    response = login(auditor).post(url, {"note": ""})
    assert response.status_code == 200  # a review needs its finding
    response = login(auditor).post(url, {"note": "生命の危険があり妥当。"})
    assert response.status_code == 302
    glass.refresh_from_db()
    assert glass.reviewed_by == auditor and glass.reviewed_at is not None
    with pytest.raises(ValidationError):
        services.break_glass_review(actor=overseers[0], glass=glass, note="再確認")


def test_the_user_does_not_review_their_own_use(team_case, coordinator, caseworker):
    case_services.case_send_to_coordination(actor=caseworker, case=team_case, reason="8050")
    glass = BreakGlass.objects.create(
        case=team_case,
        staff=coordinator,
        agency=coordinator.agency,
        reason="テストのための記録",
        started_at=timezone.now(),
        expires_at=timezone.now() + datetime.timedelta(hours=24),
    )
    with pytest.raises(ValidationError):
        services.break_glass_review(actor=coordinator, glass=glass, note="問題なし")


def test_break_glass_list_query_count_does_not_grow(
    team_case, outsider, overseers, login, django_assert_max_num_queries
):
    client = login(overseers[1])
    url = resolve_url("privacy:break_glass_list")
    for n in range(6):
        BreakGlass.objects.create(
            case=team_case,
            staff=outsider,
            agency=outsider.agency,
            reason=f"安否確認 {n}",
            started_at=timezone.now() - datetime.timedelta(days=n + 2),
            expires_at=timezone.now() - datetime.timedelta(days=n + 1),
        )
        if n == 0:
            with django_assert_max_num_queries(40) as few:
                client.get(url)
            baseline = len(few.captured_queries)
    with django_assert_max_num_queries(baseline):
        client.get(url)


def test_unknown_records_are_404(login, caseworker):
    client = login(caseworker)
    for name in ("privacy:consent_withdraw",):
        url = resolve_url(name, "00000000-0000-0000-0000-000000000000")
        assert client.get(url).status_code == 404
    with pytest.raises(Http404):
        from kasane.privacy.consent import get_consent_for_user

        get_consent_for_user(caseworker, "not-a-uuid")


# --- consent given on the 相談受付・申込票 --------------------------------------------------


def test_consent_ticked_at_intake_is_recorded_for_the_agencies_involved(
    caseworker, outsider, stranger, household
):
    from kasane.intake import services as intake_services
    from kasane.intake.models import NeedType, Outcome
    from kasane.intake.services import ReferralRequest

    need = NeedType.objects.get(code="8050")
    consultation = intake_services.consultation_record(
        actor=caseworker,
        received_at=timezone.now(),
        requester="family",
        channel="phone",
        household=household,
        persons=[head_of(household)],
        needs=[need],
        main_need=need,
        summary="息子が長年ひきこもっている。",
        outcome=Outcome.REFERRED,
        consent_to_share=True,
        referral=ReferralRequest(to_agency=outsider.agency, reason="障害", request="同行訪問"),
    )
    consent = Consent.objects.get(person=head_of(household))
    assert set(consent.agencies.all()) == {caseworker.agency, outsider.agency}
    assert ConsentPurpose.INTEGRATED_MEETING in consent.purposes
    case = consultation.case
    assert case is not None
    assert detail_basis(outsider, case) == LegalBasis.CONSENT
    assert detail_basis(stranger, case) is None


def test_no_consent_at_intake_records_none(caseworker, outsider, household):
    from kasane.intake import services as intake_services
    from kasane.intake.models import NeedType, Outcome
    from kasane.intake.services import ReferralRequest

    need = NeedType.objects.get(code="8050")
    consultation = intake_services.consultation_record(
        actor=caseworker,
        received_at=timezone.now(),
        requester="family",
        channel="phone",
        household=household,
        needs=[need],
        main_need=need,
        summary="息子が長年ひきこもっている。",
        outcome=Outcome.REFERRED,
        consent_to_share=False,
        referral=ReferralRequest(to_agency=outsider.agency, reason="障害", request="同行訪問"),
    )
    assert not Consent.objects.exists()
    assert consultation.case is not None
    assert detail_basis(outsider, consultation.case) is None
