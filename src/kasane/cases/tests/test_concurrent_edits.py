"""No lost updates on the case (issue #7, 5): the status form on the case page and the
coordinator's triage form carry the case's row_version; the second of two saves from pages
opened at the same count is refused with what changed, and the first's values stay."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils.html import escape

from kasane.accounts.models import Role
from kasane.cases import services
from kasane.cases.models import Case, CaseStatus, Triage
from kasane.conftest import StaffFactory
from kasane.core.row_version import CONFLICT_MESSAGE, EditConflict
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


@pytest.fixture
def coordinator2(coordinator):
    return StaffFactory.create(
        username="coordinator2", agency=coordinator.agency, role=Role.COORDINATOR
    )


@pytest.fixture
def in_coordination(open_case, caseworker):
    return services.case_send_to_coordination(actor=caseworker, case=open_case, reason="8050")


def _version(case: Case) -> int:
    return Case.objects.get(pk=case.pk).row_version


@pytest.mark.django_db
def test_the_second_status_change_is_refused_showing_what_changed(
    login, open_case, caseworker, colleague
):
    page = reverse("cases:case_detail", args=[open_case.public_id])
    url = reverse("cases:status_change", args=[open_case.public_id])
    first, second = login(caseworker), login(colleague)
    mine = opened(first.get(page), "status_form")
    theirs = opened(second.get(page), "status_form")
    before = int(mine["row_version"])
    audits = update_audits("case", open_case.public_id)

    assert first.post(url, {**mine, "status": CaseStatus.ASSESSMENT}).status_code == 302
    # From 受付 the second one would move it to 見守り: a move that is allowed from
    # アセスメント too, so without the row_version it would silently win.
    refused = second.post(url, {**theirs, "status": CaseStatus.WATCHING}, follow=True)

    text = refused.content.decode()
    assert escape(str(CONFLICT_MESSAGE)) in text
    assert escape(str(CaseStatus.ASSESSMENT.label)) in text
    assert escape(str(CaseStatus.WATCHING.label)) in text
    open_case.refresh_from_db()
    assert open_case.status == CaseStatus.ASSESSMENT
    assert open_case.row_version == before + 1
    assert update_audits("case", open_case.public_id) == audits + 1

    # Opened again, the form carries the new count and the change goes through.
    again = opened(second.get(page), "status_form")
    assert second.post(url, {**again, "status": CaseStatus.WATCHING}).status_code == 302
    open_case.refresh_from_db()
    assert open_case.status == CaseStatus.WATCHING and open_case.row_version == before + 2
    assert update_audits("case", open_case.public_id) == audits + 2


@pytest.mark.django_db
def test_the_second_triage_is_refused_showing_what_changed(
    login, in_coordination, coordinator, coordinator2
):
    url = reverse("cases:triage", args=[in_coordination.public_id])
    first, second = login(coordinator), login(coordinator2)
    mine, theirs = opened(first.get(url)), opened(second.get(url))
    before = int(mine["row_version"])
    audits = update_audits("case", in_coordination.public_id)

    saved = first.post(url, {**mine, "triage": Triage.C, "advice": "既存の見守りで足りる"})
    assert saved.status_code == 302
    refused = second.post(url, {**theirs, "triage": Triage.A, "advice": ""})

    assert refused.status_code == 409
    assert escape(str(CONFLICT_MESSAGE)) in refused.content.decode()
    changes = {c.name: c for c in refused.context["conflict"]}
    assert set(changes) == {"triage", "advice"}
    assert changes["triage"].current == str(Triage.C.label)
    assert changes["triage"].yours == str(Triage.A.label)
    assert changes["advice"].current == "既存の見守りで足りる"
    case = Case.objects.get(pk=in_coordination.pk)
    assert (case.triage, case.triage_advice) == (Triage.C, "既存の見守りで足りる")
    assert case.row_version == before + 1
    assert update_audits("case", case.public_id) == audits + 1

    again = second.post(url, resubmitted(refused))
    assert again.status_code == 302
    case.refresh_from_db()
    assert case.triage == Triage.A and case.row_version == before + 2
    assert update_audits("case", case.public_id) == audits + 2


@pytest.mark.django_db
def test_every_save_of_the_case_counts(open_case, caseworker, coordinator):
    """Not only the edit forms: a save by another service (sending to coordination, a
    support decision…) also refuses an editor who opened the case before it."""
    start = _version(open_case)
    services.case_send_to_coordination(actor=caseworker, case=open_case, reason="8050")
    assert _version(open_case) == start + 1
    with pytest.raises(EditConflict):
        services.case_status_change(
            actor=caseworker, case=open_case, status=CaseStatus.ASSESSMENT, row_version=start
        )
    assert Case.objects.get(pk=open_case.pk).status == CaseStatus.RECEIVED
    services.case_status_change(
        actor=caseworker, case=open_case, status=CaseStatus.ASSESSMENT, row_version=start + 1
    )
    assert _version(open_case) == start + 2


def _triage(actor, case, triage, version):
    advice = "助言" if triage == Triage.C else ""
    return lambda: services.case_triage(
        actor=actor, case=case, triage=triage, advice=advice, row_version=version
    )


@ON_POSTGRESQL
def test_two_triages_at_the_same_moment_one_wins(
    need_types_kept, transactional_db, in_coordination, coordinator, coordinator2
):
    version = _version(in_coordination)
    audits = update_audits("case", in_coordination.public_id)
    won, lost = outcome(
        race(
            _triage(coordinator, in_coordination, Triage.A, version),
            _triage(coordinator2, in_coordination, Triage.C, version),
        )
    )
    assert len(won) == 1 and len(lost) == 1
    case = Case.objects.get(pk=in_coordination.pk)
    assert case.triage == won[0].triage and case.row_version == version + 1
    assert update_audits("case", case.public_id) == audits + 1


@ON_POSTGRESQL
def test_the_compare_and_set_itself_lets_one_through(need_types_kept, transactional_db, open_case):
    version = _version(open_case)
    won, lost = outcome(
        race(
            held_compare_and_set(Case, open_case.pk, version, {"status": CaseStatus.ASSESSMENT}),
            held_compare_and_set(Case, open_case.pk, version, {"status": CaseStatus.WATCHING}),
        )
    )
    assert won == [version + 1] and len(lost) == 1
    assert Case.objects.get(pk=open_case.pk).row_version == version + 1


def test_two_connections_one_after_the_other(
    need_types_kept, transactional_db, in_coordination, coordinator, coordinator2
):
    version = _version(in_coordination)
    results = one_after_the_other(
        _triage(coordinator, in_coordination, Triage.C, version),
        _triage(coordinator2, in_coordination, Triage.A, version),
    )
    assert isinstance(results[0], Case) and isinstance(results[1], EditConflict), results
    case = Case.objects.get(pk=in_coordination.pk)
    assert case.triage == Triage.C and case.row_version == version + 1
