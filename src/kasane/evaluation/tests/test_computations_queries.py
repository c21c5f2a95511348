"""Every computation is a handful of aggregate queries however many records it counts: the
whole registry, computed over one round of everything and over three, city-wide and
narrowed, issues the same number of queries."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kasane.accounts.models import Staff
from kasane.cases import services as case_services
from kasane.cases.services import clock_at
from kasane.community import services as community_services
from kasane.conftest import AgencyFactory, AreaFactory, StaffFactory, head_of
from kasane.evaluation.computations import REGISTRY, compute
from kasane.evaluation.tests.test_computations import YEAR, at
from kasane.evaluation.tests.test_computations_plans import Story, chair  # noqa: F401
from kasane.meetings.models import MeetingKind
from kasane.meetings.tests.conftest import give_consent  # noqa: F401
from kasane.outreach import services as outreach_services
from kasane.outreach.tests.conftest import minsei, outreach_agency, outreach_worker  # noqa: F401
from kasane.participation.matching import services as matching_services
from kasane.participation.models import Opportunity, Resource
from kasane.registry.models import Area, AreaKind

D = datetime.date
MAX_QUERIES = 4  # the area tree, and at most three aggregate queries


def one_round(
    n: int,
    story: Story,
    outreach: Staff,
    minsei: Staff,
    block: Area,
    district: Area,
) -> None:
    """A bit of everything the registry counts, in FY2024; ``n`` makes the names unique."""
    worker = story.caseworker
    case = story.consulted(at(2024, 5, 1 + n))
    case.household.area = block
    case.household.save(update_fields=["area"])
    support = story.meeting(MeetingKind.SUPPORT_MEETING, at(2024, 6, 1 + n, 14))
    story.take_up(support, case)
    integrated = story.meeting(MeetingKind.INTEGRATED_MEETING, at(2024, 7, 1 + n, 10))
    story.approve(case, integrated, D(2024, 9, 1))
    story.review(case, D(2024, 9, 1), D(2024, 12, 1))
    for day in (2, 5, 9):  # たらい回し
        agency = AgencyFactory.create()
        with clock_at(at(2024, 10, day + n)):
            referral = case_services.referral_create(
                actor=worker, case=case, to_agency=agency, reason="理由", request="依頼"
            )
            case_services.referral_decline(
                actor=StaffFactory.create(agency=agency), referral=referral, reason="no_capacity"
            )
    with clock_at(at(2024, 8, 1 + n)):
        report = outreach_services.concern_report_create(actor=minsei, area=block)
        target = outreach_services.target_open(
            actor=outreach, label=f"対象{n}", area=block, report=report
        )
    with clock_at(at(2024, 9, 1 + n)):
        outreach_services.target_stage_move(actor=outreach, target=target, stage="contacted")
    resource, _ = Resource.objects.get_or_create(name="NPO法人 ひだまり")
    where = Opportunity.objects.create(
        resource=resource, name=f"居場所{n}", checked_on=D(2024, 4, 1)
    )
    person = head_of(case.household)
    proposed = matching_services.match_propose(
        actor=worker, person=person, opportunity=where, on=D(2024, 6, 1)
    )
    matching_services.match_move(
        actor=worker, match=proposed.match, stage="started", on=D(2024, 6, 2)
    )
    matching_services.match_move(
        actor=worker, match=proposed.match, stage="settled", on=D(2024, 9, 2)
    )
    for measured_on, answer in ((D(2024, 6, 2), 4), (D(2024, 9, 2), 2)):
        matching_services.loneliness_record(
            actor=worker,
            person=person,
            data=matching_services.LonelinessInput(answer, answer, answer, measured_on),
        )
    need = matching_services.unmet_need_record(
        actor=worker,
        kind="ibasho",
        age_band="youth",
        description="夜の居場所",
        area=district,
        recorded_on=D(2024, 5, 1),
    )
    matching_services.unmet_need_developed(
        actor=worker, need=need, opportunity=where, on=D(2024, 11, 1)
    )
    community_services.place_create(
        actor=worker,
        name=f"サロン{n}",
        kind="salon",
        area=block,
        organizer="町内会",
        organizer_type="residents",
        frequency="monthly",
    )


def _counts(**narrowing: Any) -> dict[str, int]:
    counts: dict[str, int] = {}
    for code in sorted(REGISTRY):
        with CaptureQueriesContext(connection) as queries:
            compute(code, YEAR, **narrowing)
        counts[code] = len(queries.captured_queries)
    return counts


@pytest.mark.parametrize("narrowed", [False, True], ids=["city", "area-domain"])
def test_the_registry_issues_as_many_queries_for_more_records(
    narrowed: bool,
    caseworker: Staff,
    coordinator: Staff,
    chair: Staff,
    give_consent: Callable[..., Any],
    outreach_worker: Staff,
    minsei: Staff,
) -> None:
    city = AreaFactory.create(code="K", name="かさね市", kind=AreaKind.CITY)
    sphere = AreaFactory.create(code="K1", name="北圏域", kind=AreaKind.SPHERE, parent=city)
    district = AreaFactory.create(
        code="K11", name="北中学校区", kind=AreaKind.SCHOOL_DISTRICT, parent=sphere
    )
    block = AreaFactory.create(code="K111", name="本町一丁目", kind=AreaKind.BLOCK, parent=district)
    story = Story(caseworker, coordinator, chair, give_consent)
    narrowing: dict[str, Any] = {"area": sphere, "domain": "elderly"} if narrowed else {}

    one_round(0, story, outreach_worker, minsei, block, district)
    fewer = _counts(**narrowing)
    some = {code: compute(code, YEAR, **narrowing).value for code in REGISTRY}
    for n in (1, 2):
        one_round(n, story, outreach_worker, minsei, block, district)
    more = _counts(**narrowing)

    assert more == fewer
    assert max(more.values()) <= MAX_QUERIES, more
    # The rounds were counted: the data is not empty for the computations that count it.
    grown = [code for code in REGISTRY if compute(code, YEAR, **narrowing).value != some[code]]
    assert len(grown) >= 10, grown
