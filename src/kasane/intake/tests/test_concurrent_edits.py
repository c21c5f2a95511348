"""No lost updates on the consultation (issue #7, 5): two staff of the receiving agency
correct the same 相談受付票; the second save is refused with what changed, and the first's
values stay. Staff of other agencies get 404 on the correction page."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from kasane.conftest import head_of
from kasane.core.row_version import CONFLICT_MESSAGE, EditConflict
from kasane.intake import services
from kasane.intake.models import Channel, Consultation, NeedType, Outcome, Requester
from kasane.testing.edits import (
    ON_POSTGRESQL,
    colleague,  # noqa: F401 — a fixture
    held_compare_and_set,
    one_after_the_other,
    opened,
    outcome,
    race,
    resubmitted,
    update_audits,
)

SUMMARY = "母（82）が息子（52）のひきこもりを心配している。"


@pytest.fixture
def consultation(caseworker, household):
    need = NeedType.objects.get(code="8050")
    return services.consultation_record(
        actor=caseworker,
        received_at=timezone.now() - datetime.timedelta(hours=2),
        requester=Requester.FAMILY,
        channel=Channel.PHONE,
        household=household,
        persons=[head_of(household)],
        needs=[need],
        main_need=need,
        domains=["elderly"],
        summary=SUMMARY,
        outcome=Outcome.HANDLED,
    )


def _form(opened_form: dict[str, str], c: Consultation, **values: object) -> dict[str, object]:
    data: dict[str, object] = {
        **opened_form,
        "received_at": timezone.localtime(c.received_at).strftime("%Y-%m-%dT%H:%M"),
        "requester": c.requester,
        "channel": c.channel,
        "domains": list(c.domains),
        "summary": c.summary,
    }
    data.update(values)
    return data


@pytest.mark.django_db
def test_the_second_save_is_refused_showing_what_changed(
    login, consultation, caseworker, colleague
):
    url = reverse("intake:consultation_edit", args=[consultation.public_id])
    first, second = login(caseworker), login(colleague)
    mine, theirs = opened(first.get(url)), opened(second.get(url))
    assert mine["row_version"] == theirs["row_version"] == "0"

    corrected = SUMMARY + "本人は電話に出ない。"
    saved = first.post(url, _form(mine, consultation, summary=corrected))
    assert saved.status_code == 302
    refused = second.post(
        url, _form(theirs, consultation, channel=Channel.WALK_IN, domains=["elderly", "youth"])
    )

    assert refused.status_code == 409
    assert escape(str(CONFLICT_MESSAGE)) in refused.content.decode()
    changes = {c.name: c for c in refused.context["conflict"]}
    # Only what the first editor changed: the second one's own changes are theirs to keep.
    assert set(changes) == {"summary"}
    assert changes["summary"].current == corrected
    assert changes["summary"].yours == SUMMARY
    consultation.refresh_from_db()
    assert consultation.summary == corrected
    assert consultation.channel == Channel.PHONE and consultation.domains == ["elderly"]
    assert consultation.row_version == 1
    assert update_audits("consultation", consultation.public_id) == 1

    again = second.post(url, resubmitted(refused))
    assert again.status_code == 302
    consultation.refresh_from_db()
    assert consultation.channel == Channel.WALK_IN and consultation.row_version == 2
    # Resaving the form as refused puts the second editor's summary back: their choice,
    # made with the difference in front of them.
    assert consultation.summary == SUMMARY
    assert update_audits("consultation", consultation.public_id) == 2


@pytest.mark.django_db
def test_other_agencies_cannot_open_the_correction_page(login, consultation, outsider):
    url = reverse("intake:consultation_edit", args=[consultation.public_id])
    client = login(outsider)
    assert client.get(url).status_code == 404
    assert client.post(url, {"row_version": "0", "summary": "x"}).status_code == 404
    consultation.refresh_from_db()
    assert consultation.summary == SUMMARY and consultation.row_version == 0


def _update(actor, c, version, **values):
    data = {
        "received_at": c.received_at,
        "requester": c.requester,
        "channel": c.channel,
        "domains": c.domains,
        "summary": c.summary,
    }
    data.update(values)
    return lambda: services.consultation_update(
        actor=actor, consultation=c, row_version=version, **data
    )


@pytest.mark.django_db
def test_a_save_at_the_current_version_succeeds_and_counts(consultation, caseworker, colleague):
    saved = _update(caseworker, consultation, 0, channel=Channel.EMAIL)()
    assert saved.row_version == 1
    with pytest.raises(EditConflict):
        _update(colleague, consultation, 0, channel=Channel.WALK_IN)()
    assert Consultation.objects.get(pk=consultation.pk).channel == Channel.EMAIL
    assert _update(colleague, consultation, 1, channel=Channel.WALK_IN)().row_version == 2
    assert update_audits("consultation", consultation.public_id) == 2


@ON_POSTGRESQL
def test_two_saves_at_the_same_moment_one_wins(
    need_types_kept, transactional_db, consultation, caseworker, colleague
):
    won, lost = outcome(
        race(
            _update(caseworker, consultation, 0, channel=Channel.EMAIL),
            _update(colleague, consultation, 0, channel=Channel.WALK_IN),
        )
    )
    assert len(won) == 1 and len(lost) == 1
    saved = Consultation.objects.get(pk=consultation.pk)
    assert saved.channel == won[0].channel and saved.row_version == 1
    assert update_audits("consultation", consultation.public_id) == 1


@ON_POSTGRESQL
def test_the_compare_and_set_itself_lets_one_through(
    need_types_kept, transactional_db, consultation
):
    won, lost = outcome(
        race(
            held_compare_and_set(Consultation, consultation.pk, 0, {"summary": "一"}),
            held_compare_and_set(Consultation, consultation.pk, 0, {"summary": "二"}),
        )
    )
    assert won == [1] and len(lost) == 1
    assert Consultation.objects.get(pk=consultation.pk).summary in ("一", "二")


def test_two_connections_one_after_the_other(
    need_types_kept, transactional_db, consultation, caseworker, colleague
):
    results = one_after_the_other(
        _update(caseworker, consultation, 0, channel=Channel.EMAIL),
        _update(colleague, consultation, 0, channel=Channel.WALK_IN),
    )
    assert isinstance(results[0], Consultation) and isinstance(results[1], EditConflict), results
    saved = Consultation.objects.get(pk=consultation.pk)
    assert saved.channel == Channel.EMAIL and saved.row_version == 1
    assert update_audits("consultation", consultation.public_id) == 1
