"""Matching through the pages and services: suggestions with reasons, proposing (a full
place is warned about, not refused), stages with their history, follow-ups, the UCLA scale,
unmet needs — and who may see what."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.shortcuts import resolve_url
from django.utils import timezone

from kasane.accounts.models import Role
from kasane.audit.models import AuditEvent
from kasane.conftest import StaffFactory, head_of
from kasane.participation.matching import services
from kasane.participation.matching.candidates import catalogue_candidates
from kasane.participation.models import (
    FollowUp,
    LonelinessScore,
    Match,
    MatchStage,
    Opportunity,
    OpportunityKindLink,
    Resource,
    Schedule,
    UnmetNeed,
)

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today


def make_opportunity(name: str, *, kinds=("ibasho",), vacancies=3, byday="TU", **values: Any):
    resource, _ = Resource.objects.get_or_create(name="NPO法人 ひだまり")
    opportunity = Opportunity.objects.create(
        resource=resource,
        name=name,
        checked_on=timezone.localdate(),
        capacity=10 if vacancies is not None else None,
        vacancies=vacancies,
        cost_amount=0,
        **values,
    )
    for kind in kinds:
        OpportunityKindLink.objects.create(opportunity=opportunity, kind=kind)
    Schedule.objects.create(opportunity=opportunity, freq="WEEKLY", byday=byday)
    return opportunity


@pytest.fixture
def places() -> list[Opportunity]:
    return [
        make_opportunity("料理サロン こもれび", description="みんなで料理をつくって食べる"),
        make_opportunity("農園ボランティア", kinds=("volunteer",), description="畑の手入れ"),
        make_opportunity("パソコン教室", kinds=("learning",), vacancies=0, byday="FR"),
    ]


@pytest.fixture
def person(household):
    return head_of(household)


def test_suggestions_follow_the_interests_with_reasons(login, caseworker, person, places):
    url = resolve_url("matching:person", person.public_id)
    client = login(caseworker)
    assert client.get(url).status_code == 200
    response = client.post(url, {"interests": "料理", "weekdays": ["1"]})
    assert response.status_code == 200
    view = response.context["view"]
    assert view.suggestions[0].candidate.name == "料理サロン こもれび"
    body = response.content.decode()
    assert "料理" in body and "火" in body
    # Friday-only パソコン教室 is left out when the person can go on Tuesdays only.
    assert "パソコン教室" not in [s.candidate.name for s in view.suggestions]
    event = AuditEvent.objects.filter(object_type="matching").first()
    assert event is not None and event.object_id == str(person.public_id)


def test_outsider_cannot_match_a_person(login, stranger, person, places):
    response = login(stranger).get(resolve_url("matching:person", person.public_id))
    assert response.status_code == 404


def test_propose_warns_for_a_full_place_but_records_it(login, caseworker, person, places):
    full = places[2]
    response = login(caseworker).post(
        resolve_url("matching:propose", person.public_id),
        {"opportunity": full.pk, "reasons": '["学習の場"]'},
        follow=True,
    )
    match = Match.objects.get()
    assert match.opportunity == full and match.reasons == ["学習の場"]
    messages = [str(m) for m in response.context["messages"]]
    assert any("waiting list" in m or "空き" in m for m in messages), messages
    with pytest.raises(ValidationError):  # the same place twice
        services.match_propose(actor=caseworker, person=person, opportunity=full)


def test_stages_move_forward_with_history_and_follow_ups(caseworker, person, places):
    match = services.match_propose(actor=caseworker, person=person, opportunity=places[0]).match
    with pytest.raises(ValidationError):
        services.match_move(actor=caseworker, match=match, stage=MatchStage.PROPOSED)
    services.match_move(actor=caseworker, match=match, stage=MatchStage.VISIT)
    services.match_move(actor=caseworker, match=match, stage=MatchStage.STARTED)
    follow_ups = list(FollowUp.objects.filter(match=match))
    assert len(follow_ups) == 3 and any(f.with_host for f in follow_ups)
    with pytest.raises(ValidationError):  # ending needs a reason
        services.match_move(actor=caseworker, match=match, stage=MatchStage.ENDED)
    services.match_move(
        actor=caseworker, match=match, stage=MatchStage.ENDED, end_reason="moved_on"
    )
    assert [h.stage for h in match.history.all()] == [
        "proposed",
        "visit",
        "started",
        "ended",
    ]
    with pytest.raises(ValidationError):
        services.match_move(actor=caseworker, match=match, stage=MatchStage.SETTLED)


def test_ucla_answers_out_of_range_are_refused(caseworker, person, login, places):
    with pytest.raises(ValidationError) as refused:
        services.loneliness_record(
            actor=caseworker,
            person=person,
            data=services.LonelinessInput(5, 2, 2, timezone.localdate()),
        )
    assert "lack_companionship" in refused.value.message_dict
    match = services.match_propose(actor=caseworker, person=person, opportunity=places[0]).match
    url = resolve_url("matching:match_detail", match.public_id)
    response = login(caseworker).post(
        url,
        {
            "action": "loneliness",
            "lack_companionship": "0",
            "left_out": "2",
            "isolated": "3",
            "measured_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 200
    assert "lack_companionship" in response.context["loneliness"].errors
    assert not LonelinessScore.objects.exists()


def test_follow_up_with_the_scale_shows_the_change(caseworker, person, login, places):
    match = services.match_propose(actor=caseworker, person=person, opportunity=places[0]).match
    start = timezone.localdate()
    services.match_move(actor=caseworker, match=match, stage=MatchStage.STARTED, on=start)
    services.loneliness_record(
        actor=caseworker,
        person=person,
        data=services.LonelinessInput(4, 3, 4, start),
        match=match,
    )
    follow_up = match.follow_ups.filter(with_host=False).first()
    assert follow_up is not None
    client = login(caseworker)
    response = client.post(
        resolve_url("matching:follow_up", follow_up.public_id),
        {
            "done_on": start.isoformat(),
            "note": "毎週通えている",
            "lack_companionship": "2",
            "left_out": "2",
            "isolated": "2",
        },
    )
    assert response.status_code == 302
    follow_up.refresh_from_db()
    assert follow_up.done_on == start
    page = client.get(resolve_url("matching:match_detail", match.public_id))
    assert page.context["detail"].score_change == 6 - 11
    listing = client.get(resolve_url("matching:match_list"))
    summary = listing.context["summary"]
    assert summary.persons == 1 and summary.change == -5.0


def test_another_agencys_match_is_404(caseworker, outsider, person, login, places):
    match = services.match_propose(actor=caseworker, person=person, opportunity=places[0]).match
    client = login(outsider)
    assert client.get(resolve_url("matching:match_detail", match.public_id)).status_code == 404


def test_match_list_query_count_does_not_grow(
    caseworker, login, household, django_assert_max_num_queries, places
):
    from kasane.conftest import make_household

    client = login(caseworker)
    url = resolve_url("matching:match_list")
    for n in range(6):
        other = make_household(
            caseworker.agency, name=f"試験 {'一二三四五六'[n]}", kana=f"シケン {'イニサシゴロ'[n]}"
        )
        services.match_propose(actor=caseworker, person=head_of(other), opportunity=places[n % 2])
        if n == 0:
            with django_assert_max_num_queries(40) as few:
                client.get(url)
            baseline = len(few.captured_queries)
    with django_assert_max_num_queries(baseline):
        body = client.get(url).content.decode()
    assert "試験 六" in body


def test_unmet_needs_are_recorded_without_names_and_answered(caseworker, login, places):
    client = login(caseworker)
    url = resolve_url("matching:unmet_needs")
    response = client.post(
        url,
        {
            "action": "add",
            "kind": "intermediate_work",
            "age_band": "middle",
            "for_whom": "長くひきこもっていた40代",
            "description": "短時間から始められる中間的就労の場がない",
        },
    )
    assert response.status_code == 302
    need = UnmetNeed.objects.get()
    response = client.post(
        url, {"action": "developed", "need": str(need.public_id), "opportunity": places[1].pk}
    )
    need.refresh_from_db()
    assert need.developed == places[1]
    body = client.get(url).content.decode()
    assert "中間的就労" in body and "農園ボランティア" in body
    # Empty input is refused with messages.
    response = client.post(url, {"action": "add"})
    assert response.status_code == 200 and response.context["form"].errors


def test_volunteers_do_not_reach_matching(login, person, places):
    volunteer = StaffFactory.create(username="minsei-test", role=Role.VOLUNTEER)
    assert login(volunteer).get(resolve_url("matching:match_list")).status_code == 403


def test_candidates_follow_the_catalogue(places):
    before = catalogue_candidates()
    assert {c.name for c in before} == {p.name for p in places}
    assert catalogue_candidates() is before  # cached while nothing changed
    make_opportunity("新しい居場所")
    assert "新しい居場所" in {c.name for c in catalogue_candidates()}
