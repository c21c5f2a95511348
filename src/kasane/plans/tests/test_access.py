"""Who reads and writes a case's assessment and plan: outsiders get 404 on every page; an
agency on the team without a recorded basis gets 403 and learns nothing of the content; with
a basis (consent) it reads, and every read is audited with that basis."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.urls import reverse

from kasane.audit.models import AuditEvent, LegalBasis
from kasane.plans import services
from kasane.plans.models import Severity
from kasane.plans.services import AreaInput
from kasane.plans.tests.conftest import today

pytestmark = pytest.mark.django_db

SECRET = "長男の就労への不安"


@pytest.fixture
def world(accepted_case, caseworker, coordinator, integrated_item, make_plan, team_member):
    assessment = services.assessment_create(
        actor=caseworker,
        case=accepted_case,
        assessed_on=today(),
        areas=[AreaInput("work_school", SECRET, Severity.SERIOUS)],
    )
    v1 = services.plan_approve(
        actor=coordinator, plan=make_plan(caseworker, accepted_case), item=integrated_item
    )
    goal = v1.goals.get()
    review = services.review_record(
        actor=caseworker,
        case=accepted_case,
        held_on=today(),
        goal_results={goal.pk: "partly"},
        person_view=SECRET,
        next_review_on=v1.review_due_on,
    )
    v2 = services.plan_create(actor=caseworker, case=accepted_case)
    return SimpleNamespace(case=accepted_case, assessment=assessment, v1=v1, v2=v2, review=review)


def pages(w):
    case = w.case.public_id
    return [
        ("get", reverse("plans:case_plans", args=[case])),
        ("get", reverse("plans:assessment_create", args=[case])),
        ("get", reverse("plans:review_create", args=[case])),
        ("get", reverse("plans:closure_create", args=[case])),
        ("get", reverse("plans:assessment_detail", args=[w.assessment.public_id])),
        ("get", reverse("plans:assessment_print", args=[w.assessment.public_id])),
        ("get", reverse("plans:plan_detail", args=[w.v1.public_id])),
        ("get", reverse("plans:plan_print", args=[w.v1.public_id])),
        ("get", reverse("plans:plan_diff", args=[w.v2.public_id])),
        ("get", reverse("plans:review_detail", args=[w.review.public_id])),
        ("post", reverse("plans:plan_create", args=[case])),
        ("post", reverse("plans:assessment_create", args=[case])),
    ]


def test_every_plan_page_is_404_to_outsiders(login, world, stranger, analyst, auditor):
    for who in (stranger, analyst, auditor):
        client = login(who)
        for method, url in pages(world):
            response = getattr(client, method)(url)
            assert response.status_code == 404, (who.username, url)
            assert SECRET not in response.content.decode()


def test_a_team_agency_without_a_basis_gets_403(login, world, team_member):
    client = login(team_member)
    for method, url in pages(world):
        response = getattr(client, method)(url)
        assert response.status_code == 403, url
        assert SECRET not in response.content.decode()
    assert not AuditEvent.objects.filter(actor=team_member, action="view").exists()


def test_with_consent_the_team_agency_reads_and_the_read_is_audited(
    login, world, team_member, give_consent
):
    give_consent(world.case, agencies=[team_member.agency])
    client = login(team_member)
    for method, url in pages(world):
        if method == "get":
            assert client.get(url).status_code == 200, url
    page = client.get(reverse("plans:assessment_detail", args=[world.assessment.public_id]))
    assert SECRET in page.content.decode()
    read = AuditEvent.objects.filter(actor=team_member, object_type="assessment").first()
    assert read is not None and read.legal_basis == LegalBasis.CONSENT
    plan_read = AuditEvent.objects.filter(actor=team_member, object_type="support_plan").first()
    assert plan_read is not None and plan_read.legal_basis == LegalBasis.CONSENT


def test_the_lead_and_the_coordinator_read_on_their_own_bases(
    login, world, caseworker, coordinator
):
    url = reverse("plans:plan_detail", args=[world.v1.public_id])
    assert login(caseworker).get(url).status_code == 200
    assert login(coordinator).get(url).status_code == 200
    bases = dict(
        AuditEvent.objects.filter(object_type="support_plan", action="view").values_list(
            "actor__username", "legal_basis"
        )
    )
    assert bases[caseworker.username] == LegalBasis.OWN_AGENCY
    # The head's consent covers the coordination agency: the strongest basis is named.
    assert bases[coordinator.username] == LegalBasis.CONSENT


def test_a_reader_off_the_team_cannot_write(login, world, coordinator, outsider, give_consent):
    """A referral's addressee may read on consent, but writes nothing until on the team."""
    from kasane.accounts.models import Role
    from kasane.cases import services as case_services
    from kasane.conftest import AgencyFactory, StaffFactory

    agency = AgencyFactory.create(name="かさね市社会福祉協議会")
    csw = StaffFactory.create(agency=agency, role=Role.CASEWORKER)
    case_services.referral_create(
        actor=coordinator, case=world.case, to_agency=agency, reason="居場所", request="参加支援"
    )
    give_consent(world.case, agencies=[agency])
    client = login(csw)
    assert client.get(reverse("plans:plan_detail", args=[world.v1.public_id])).status_code == 200
    assert (
        client.get(reverse("plans:assessment_create", args=[world.case.public_id])).status_code
        == 403
    )
    response = client.post(
        reverse("plans:plan_goal_add", args=[world.v2.public_id]),
        {"term": "short", "text": "x"},
    )
    assert response.status_code == 403
    assert not world.v2.goals.filter(text="x").exists()
