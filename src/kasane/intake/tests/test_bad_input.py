"""Bad input at intake: the 相談受付票 says what is wrong, keeps what was typed, saves nothing."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.shortcuts import resolve_url
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext

from kasane.cases.models import Case, Referral
from kasane.intake import services
from kasane.intake.models import Consultation, NeedType, Outcome
from kasane.registry.models import Household, Person
from kasane.registry.services import PersonInput

pytestmark = pytest.mark.django_db

NEW = [
    ("head", "山田 ハナ", "やまだ はな", "1944-03-01"),
    ("child", "山田 一郎", "ヤマダ イチロウ", "1974-05-05"),
]


def _shows(response: Any, message: str) -> bool:
    return escape(gettext(message)) in response.content.decode()


def _nothing_saved(households_before: int) -> None:
    assert Consultation.objects.count() == 0
    assert Case.objects.count() == 0
    assert Household.objects.count() == households_before


def _service(actor, **overrides) -> Consultation:
    need = NeedType.objects.get(code="8050")
    values: dict[str, Any] = {
        "actor": actor,
        "received_at": timezone.now(),
        "requester": "self",
        "channel": "walk_in",
        "needs": [need],
        "main_need": need,
        "summary": "相談内容",
        "outcome": Outcome.HANDLED,
    }
    values.update(overrides)
    return services.consultation_record(**values)


def _codes(error: ValidationError) -> dict[str, list[str | None]]:
    return {name: [e.code for e in errors] for name, errors in error.error_dict.items()}


# --- nobody to consult about --------------------------------------------------------------


def test_consultation_with_no_person_and_no_household(caseworker):
    with pytest.raises(ValidationError) as exc:
        _service(caseworker)
    assert exc.value.code == "no_subject"
    assert Consultation.objects.count() == 0


def test_page_with_no_person_keeps_the_summary(caseworker, login, consultation_post):
    before = Household.objects.count()
    response = login(caseworker).post(
        resolve_url("intake:record_new"),
        consultation_post(people=[], summary="匿名の電話。名前は名乗らなかった。"),
    )
    assert response.status_code == 200
    assert _shows(response, "Enter at least the head of the household.")
    assert "匿名の電話。名前は名乗らなかった。" in response.content.decode()
    _nothing_saved(before)


# --- dates and needs ------------------------------------------------------------------------


def test_consultation_dated_in_the_future(caseworker, household, login, consultation_post):
    tomorrow = timezone.localtime() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        _service(caseworker, household=household, received_at=tomorrow)
    assert _codes(exc.value) == {"received_at": ["future"]}
    before = Household.objects.count()
    response = login(caseworker).post(
        resolve_url("intake:record_new"),
        consultation_post(people=NEW, received_at=tomorrow.strftime("%Y-%m-%dT%H:%M")),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["received_at"]
    assert _shows(response, "The date cannot be in the future.")
    assert "山田 ハナ" in response.content.decode()
    _nothing_saved(before)


def test_main_complaint_not_among_the_needs(caseworker, household, login, consultation_post):
    needs = list(NeedType.objects.filter(code__in=["8050", "hikikomori"]))
    other = NeedType.objects.exclude(code__in=["8050", "hikikomori"]).first()
    assert other is not None
    with pytest.raises(ValidationError) as exc:
        _service(caseworker, household=household, needs=needs, main_need=other)
    assert _codes(exc.value) == {"main_need": ["main_need_not_in_needs"]}
    before = Household.objects.count()
    response = login(caseworker).post(
        resolve_url("intake:record_new"), consultation_post(people=NEW, main_need=str(other.pk))
    )
    assert response.status_code == 200
    assert response.context["form"].errors["main_need"]
    assert _shows(response, "The main complaint must be one of the needs.")
    _nothing_saved(before)


def test_no_needs_at_all(caseworker, household):
    with pytest.raises(ValidationError) as exc:
        _service(caseworker, household=household, needs=[], main_need=None)
    assert _codes(exc.value) == {
        "needs": ["needs_required"],
        "main_need": ["main_need_required"],
    }


def test_an_inactive_need_cannot_be_chosen(caseworker, login, consultation_post):
    retired = NeedType.objects.get(code="8050")
    retired.is_active = False
    retired.save()
    before = Household.objects.count()
    response = login(caseworker).post(
        resolve_url("intake:record_new"), consultation_post(people=NEW)
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    _nothing_saved(before)


# --- what happens next ----------------------------------------------------------------------


def test_referral_outcome_without_the_agency(caseworker, login, consultation_post):
    before = Household.objects.count()
    response = login(caseworker).post(
        resolve_url("intake:record_new"),
        consultation_post(people=NEW, outcome=Outcome.REFERRED, referral_reason="理由"),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["referral_to"]
    assert "理由" in response.content.decode()
    _nothing_saved(before)


def test_referral_to_own_agency_at_intake_saves_nothing(caseworker):
    before = (Household.objects.count(), Person.objects.count())
    with pytest.raises(ValidationError) as exc:
        _service(
            caseworker,
            new_household=services.NewHousehold(
                head=PersonInput(name="山田 ハナ", kana="ヤマダ ハナ", birth_date=None)
            ),
            outcome=Outcome.REFERRED,
            referral=services.ReferralRequest(caseworker.agency, "理由", "依頼"),
        )
    assert exc.value.code == "referral_to_self"
    # The household registered on the way is rolled back with the rest.
    assert (Household.objects.count(), Person.objects.count()) == before
    assert not Referral.objects.exists() and not Case.objects.exists()


def test_referral_to_own_agency_through_the_page(caseworker, login, consultation_post):
    before = Household.objects.count()
    response = login(caseworker).post(
        resolve_url("intake:record_new"),
        consultation_post(
            people=NEW,
            outcome=Outcome.REFERRED,
            referral_to=str(caseworker.agency.pk),
            referral_reason="理由",
            referral_request="依頼",
        ),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["referral_to"]
    _nothing_saved(before)


def test_coordination_without_a_reason(caseworker, household, login, consultation_post):
    with pytest.raises(ValidationError) as exc:
        _service(caseworker, household=household, outcome=Outcome.COORDINATION)
    assert _codes(exc.value) == {"coordination_reason": ["reason_required"]}
    response = login(caseworker).post(
        resolve_url("intake:record_for_household", household.public_id),
        consultation_post(outcome=Outcome.COORDINATION, coordination_reason=" "),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["coordination_reason"]
    assert not Consultation.objects.exists() and not Case.objects.exists()


def test_persons_of_another_household_cannot_be_slipped_in(
    caseworker, household, make_household_fixture, login, consultation_post
):
    other = make_household_fixture
    stranger_person = other.memberships.get().person
    response = login(caseworker).post(
        resolve_url("intake:record_for_household", household.public_id),
        consultation_post(persons=[str(stranger_person.pk)]),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["persons"]
    assert not Consultation.objects.exists()


@pytest.fixture
def make_household_fixture(agency):
    from kasane.conftest import make_household

    return make_household(agency, name="別世帯 太郎", kana="ベツセタイ タロウ")


# --- 名寄せ: the same person registered twice -------------------------------------------------


@pytest.mark.parametrize("kana", ["クサノ カズオ", "くさの　かずお", "ｸｻﾉｶｽﾞｵ"])
def test_duplicate_person_at_intake_needs_confirmation(
    kana, caseworker, household, login, consultation_post
):
    """草野 和夫 (1944-06-01) is registered; the same kana and birth date is caught."""
    client = login(caseworker)
    url = resolve_url("intake:record_new")
    data = consultation_post(
        people=[("head", "草野 和夫", kana, "1944-06-01")], summary="再度の相談。"
    )
    before = (Household.objects.count(), Person.objects.count())
    response = client.post(url, data)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="duplicates"' in body
    # The warning links to the household already registered, to record there instead.
    assert resolve_url("intake:record_for_household", household.public_id) in body
    assert "再度の相談。" in body
    assert (Household.objects.count(), Person.objects.count()) == before
    assert not Consultation.objects.exists()
    # Having checked, staff confirm they are different persons.
    response = client.post(url, {**data, "hh-confirm_not_duplicate": "on"})
    assert response.status_code == 302
    assert Consultation.objects.count() == 1
    assert Household.objects.count() == before[0] + 1


def test_different_birth_date_is_not_a_duplicate(caseworker, household, login, consultation_post):
    response = login(caseworker).post(
        resolve_url("intake:record_new"),
        consultation_post(people=[("head", "草野 和夫", "クサノ カズオ", "1950-01-01")]),
    )
    assert response.status_code == 302
    assert Consultation.objects.count() == 1


def test_duplicate_among_the_other_members_is_caught(
    caseworker, household, login, consultation_post
):
    response = login(caseworker).post(
        resolve_url("intake:record_new"),
        consultation_post(
            people=[
                ("head", "草野 花子", "クサノ ハナコ", "1950-02-02"),
                ("spouse", "草野 和夫", "クサノ カズオ", "1944-06-01"),
            ]
        ),
    )
    assert response.status_code == 200
    assert 'data-testid="duplicates"' in response.content.decode()
    assert not Consultation.objects.exists()


def test_duplicate_check_does_not_reveal_other_agencies_persons(
    outsider, household, login, consultation_post
):
    """Another agency typing the same kana learns nothing of our registration."""
    response = login(outsider).post(
        resolve_url("intake:record_new"),
        consultation_post(people=[("head", "草野 和夫", "クサノ カズオ", "1944-06-01")]),
    )
    assert response.status_code == 302
    assert str(household.public_id) not in response.content.decode()


def test_second_referral_to_the_same_agency_at_intake(
    caseworker, outsider, household, login, consultation_post
):
    referral = {
        "outcome": Outcome.REFERRED,
        "referral_to": str(outsider.agency.pk),
        "referral_reason": "障害の疑い",
        "referral_request": "同行訪問",
    }
    client = login(caseworker)
    url = resolve_url("intake:record_for_household", household.public_id)
    assert client.post(url, consultation_post(**referral)).status_code == 302
    response = client.post(url, consultation_post(summary="二回目の電話。", **referral))
    assert response.status_code == 200
    assert _shows(response, "This agency already has an open referral for this case.")
    assert "二回目の電話。" in response.content.decode()
    # The first consultation, its case and referral stand; nothing half-saved from the second.
    assert Consultation.objects.count() == 1
    assert Case.objects.count() == 1 and Referral.objects.count() == 1
    # Recorded as handled here, the second consultation joins the same case's timeline.
    assert client.post(url, consultation_post(summary="二回目の電話。")).status_code == 302
    assert Consultation.objects.count() == 2 and Case.objects.count() == 1
    case = Case.objects.get()
    assert case.consultations.count() == 2
    timeline = client.get(resolve_url("cases:case_detail", case.public_id))
    assert "二回目の電話。" in timeline.content.decode()
