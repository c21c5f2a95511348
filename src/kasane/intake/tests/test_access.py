"""Who reaches which intake page: every page of ``intake/urls.py``, for insiders and outsiders."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.utils import timezone

from kasane.audit.models import AuditAction, AuditEvent
from kasane.cases import services as case_services
from kasane.conftest import head_of
from kasane.intake import services, urls
from kasane.intake.models import Consultation, NeedType, Outcome
from kasane.registry.models import Household, Person

pytestmark = pytest.mark.django_db

SUMMARY = "息子が十年以上自室から出てこない。母は自分の通院も難しくなってきた。"


@dataclass
class World:
    household: Household
    consultation: Consultation


def _record(actor, household, **overrides) -> Consultation:
    need = NeedType.objects.get(code="8050")
    values: dict[str, Any] = {
        "actor": actor,
        "received_at": timezone.now(),
        "requester": "family",
        "channel": "phone",
        "household": household,
        "needs": [need],
        "main_need": need,
        "summary": SUMMARY,
        "outcome": Outcome.HANDLED,
    }
    values.update(overrides)
    return services.consultation_record(**values)


@pytest.fixture
def world(caseworker, household) -> World:
    return World(household, _record(caseworker, household))


PAGES: dict[str, Any] = {
    "start": lambda w: resolve_url("intake:start"),
    "search": lambda w: resolve_url("intake:search"),
    "record_new": lambda w: resolve_url("intake:record_new"),
    "record_for_household": lambda w: resolve_url(
        "intake:record_for_household", w.household.public_id
    ),
    "consultation_detail": lambda w: resolve_url(
        "intake:consultation_detail", w.consultation.public_id
    ),
    "consultation_edit": lambda w: resolve_url(
        "intake:consultation_edit", w.consultation.public_id
    ),
    "consultation_list_csv": lambda w: resolve_url("intake:consultation_list_csv"),
}
# Pages about the actor's own agency's work: an outsider gets its own (empty) page.
OWN_PAGES = {"start", "search", "record_new", "consultation_list_csv"}
POST_ONLY = {"search"}
GET_ONLY = {"consultation_list_csv"}  # a POST is refused (405) before anything is read


def _post_data(name: str, consultation_post):
    if name == "search":
        return {"q": "クサノ"}
    if name == "record_new":
        return consultation_post(people=[("head", "草野 和夫", "クサノ カズオ", "1944-06-01")])
    return consultation_post()


def test_every_intake_page_is_covered():
    assert {p.name for p in urls.urlpatterns} == set(PAGES)


@pytest.mark.parametrize("name", sorted(PAGES))
def test_insider_reaches_the_page(name, world, login, caseworker):
    response = login(caseworker).get(PAGES[name](world))
    assert response.status_code == (405 if name in POST_ONLY else 200)


@pytest.mark.parametrize("name", sorted(PAGES))
def test_stranger_learns_nothing(name, world, login, stranger, consultation_post):
    client = login(stranger)
    url = PAGES[name](world)
    got = client.get(url)
    posted = client.post(url, _post_data(name, consultation_post))
    if name in OWN_PAGES:
        for response in (got, posted):
            assert response.status_code in (200, 302, 405)
            body = response.content.decode()
            assert "草野" not in body and SUMMARY not in body
            assert str(world.household.public_id) not in body
    else:
        assert got.status_code == 404
        assert posted.status_code == 404
    # Nothing was recorded about our household by the stranger.
    assert not Consultation.objects.filter(agency=stranger.agency, household=world.household)
    assert world.household.memberships.count() == 1


@pytest.mark.parametrize("persona", ["auditor", "analyst", "admin_user"])
@pytest.mark.parametrize("name", sorted(PAGES))
def test_roles_without_cases_get_404(name, persona, world, login, request, consultation_post):
    client = login(request.getfixturevalue(persona))
    url = PAGES[name](world)
    before = (Consultation.objects.count(), Person.objects.count())
    assert client.get(url).status_code == (405 if name in POST_ONLY else 404)
    posted = client.post(url, _post_data(name, consultation_post))
    assert posted.status_code == (405 if name in GET_ONLY else 404)
    assert (Consultation.objects.count(), Person.objects.count()) == before


@pytest.mark.parametrize("name", sorted(PAGES))
def test_anonymous_is_sent_to_login(name, world, client, consultation_post):
    url = PAGES[name](world)
    login_url = resolve_url(settings.LOGIN_URL)
    before = Consultation.objects.count()
    for response in (client.get(url), client.post(url, _post_data(name, consultation_post))):
        assert response.status_code == 302
        assert response["Location"].startswith(login_url)
    assert Consultation.objects.count() == before


@pytest.mark.parametrize(
    "name",
    [
        "start",
        "record_for_household",
        "consultation_detail",
        "consultation_edit",
        "consultation_list_csv",
    ],
)
def test_every_read_of_personal_data_is_audited(name, world, login, caseworker):
    # A page is a view; a file (the CSV export) a download.
    reads = AuditEvent.objects.filter(
        actor=caseworker, action__in=[AuditAction.VIEW, AuditAction.DOWNLOAD]
    )
    before = reads.count()
    assert login(caseworker).get(PAGES[name](world)).status_code == 200
    assert reads.count() > before


def test_referred_agency_without_a_basis_learns_nothing_of_the_consultation(
    caseworker, household, outsider, stranger, login
):
    """Addressed by a referral, without consent, pledge or break-glass: the agency sees the
    case exists (and the referral), not the consultation — the stranger's 404, byte for byte.
    What a team agency with a basis reads is in ``test_team_basis``."""
    consultation = _record(
        caseworker,
        household,
        outcome=Outcome.REFERRED,
        referral=services.ReferralRequest(outsider.agency, "障害の疑い", "同行訪問"),
        consent_to_share=False,
    )
    url = resolve_url("intake:consultation_detail", consultation.public_id)
    page = login(outsider).get(url)
    assert page.status_code == 404
    assert page.content == login(stranger).get(url).content
    assert "草野" not in page.content.decode() and SUMMARY not in page.content.decode()
    assert consultation.case is not None
    case_page = login(outsider).get(resolve_url("cases:case_detail", consultation.case.public_id))
    assert case_page.status_code == 200
    assert SUMMARY not in case_page.content.decode()
    assert SUMMARY in login(caseworker).get(url).content.decode()
    # Reading is not correcting: the correction page (which shows the summary) is the
    # receiving agency's alone, and a refused one is not audited as a read.
    edit = resolve_url("intake:consultation_edit", consultation.public_id)
    assert login(outsider).get(edit).status_code == 404
    assert not AuditEvent.objects.filter(actor=outsider, object_type="consultation")
    assert SUMMARY in login(caseworker).get(edit).content.decode()


def test_consented_summary_travels_with_the_team(caseworker, household, outsider, login):
    consultation = _record(
        caseworker,
        household,
        outcome=Outcome.REFERRED,
        persons=[head_of(household)],
        referral=services.ReferralRequest(outsider.agency, "障害の疑い", "同行訪問"),
        consent_to_share=True,  # the consent it records names the agency referred to
    )
    url = resolve_url("intake:consultation_detail", consultation.public_id)
    assert SUMMARY in login(outsider).get(url).content.decode()


def test_declining_agency_loses_the_consultation(caseworker, household, outsider, login):
    consultation = _record(
        caseworker,
        household,
        outcome=Outcome.REFERRED,
        persons=[head_of(household)],
        referral=services.ReferralRequest(outsider.agency, "障害の疑い", "同行訪問"),
        consent_to_share=True,  # the consent it records names the agency referred to
    )
    url = resolve_url("intake:consultation_detail", consultation.public_id)
    client = login(outsider)
    assert client.get(url).status_code == 200
    referral = consultation.referrals.get()
    case_services.referral_decline(actor=outsider, referral=referral, reason="no_capacity")
    assert client.get(url).status_code == 404


def test_consultation_list_shows_only_the_own_agency(caseworker, household, outsider, login):
    _record(caseworker, household)
    page = login(outsider).get(resolve_url("intake:start"))
    assert page.status_code == 200
    assert "草野" not in page.content.decode()
    assert "草野" in login(caseworker).get(resolve_url("intake:start")).content.decode()
