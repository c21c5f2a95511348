"""Consent is a person's own act (issue 14): recorded only for the member who gave it, by a
named proxy for a child, withdrawn in part or in whole with a preview, kept as a history,
exported as ISO/IEC TS 27560 records, and naming only support agencies."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.shortcuts import resolve_url
from django.utils import timezone

from kasane.accounts.models import Agency, AgencyType, Staff
from kasane.api.tests.conftest import api  # noqa: F401 - the API client fixture
from kasane.audit.models import AuditAction, AuditEvent
from kasane.cases import services as case_services
from kasane.conftest import head_of
from kasane.core.error_codes import ErrorCode as CoreErrorCode
from kasane.intake import services as intake_services
from kasane.intake.models import NeedType, Outcome
from kasane.privacy import grants, services
from kasane.privacy.consent_preview import withdrawal_preview
from kasane.privacy.error_codes import ErrorCode
from kasane.privacy.models import Consent, ConsentMethod, ConsentPurpose
from kasane.registry.models import Household, Person
from kasane.registry.services import PersonInput, member_add

pytestmark = [pytest.mark.django_db, pytest.mark.clock]

MOTHER = "草野 和夫"  # the household head of the shared fixture, consulted at intake
CHILD = "草野 陽向"
FATHER = "草野 茂"


@pytest.fixture
def family(household: Household, caseworker: Staff) -> dict[str, Person]:
    """Three members: the consulted adult, a 2-year-old and a father with dementia."""
    mother = head_of(household)
    child = member_add(
        actor=caseworker,
        household=household,
        person=PersonInput(name=CHILD, kana="クサノ ヒナタ", birth_date=datetime.date(2024, 5, 1)),
        relationship="child",
    )
    father = member_add(
        actor=caseworker,
        household=household,
        person=PersonInput(name=FATHER, kana="クサノ シゲル", birth_date=datetime.date(1946, 2, 3)),
        relationship="parent",
    )
    return {"mother": mother, "child": child, "father": father}


def _agency(staff: Staff) -> Agency:
    assert staff.agency is not None
    return staff.agency


def _head(household: Household) -> Person:
    return household.memberships.get(relationship="head").person


def _intake(caseworker: Staff, household: Household, outsider: Staff, **extra: Any) -> Any:
    need = NeedType.objects.get(code="8050")
    return intake_services.consultation_record(
        actor=caseworker,
        received_at=timezone.now(),
        requester="family",
        channel="phone",
        household=household,
        persons=[_head(household)],
        needs=[need],
        main_need=need,
        summary="子育てと親の介護が重なり、相談に来た。",
        outcome=Outcome.REFERRED,
        consent_to_share=True,
        referral=intake_services.ReferralRequest(_agency(outsider), "障害の疑い", "同行訪問"),
        **extra,
    )


def _reads(login: Any, api: Any, staff: Staff, case: Any) -> dict[str, bool]:
    """Whether the case's household reaches the staff member: page, API and CSV export."""
    page = login(staff).get(resolve_url("cases:case_detail", case.public_id))
    listing = login(staff).get(resolve_url("cases:case_list_csv"))
    data = api(staff).get(f"/cases/{case.public_id}")
    return {
        "page": page.status_code == 200 and MOTHER in page.content.decode(),
        "export": MOTHER in listing.content.decode("utf-8-sig", errors="replace"),
        "api": data.status_code == 200 and MOTHER in data.content.decode(),
    }


ALL = {"page": True, "export": True, "api": True}
NONE = {"page": False, "export": False, "api": False}


@pytest.fixture
def referred(family, household, caseworker, outsider):
    """The issue's attack: consent ticked on the 相談受付・申込票 of a 3-member household,
    referred to the outsider's agency, which accepts and joins the team."""
    consultation = _intake(caseworker, household, outsider)
    case = consultation.case
    case_services.referral_accept(actor=outsider, referral=consultation.referrals.get())
    return case


def test_intake_records_a_consent_only_for_the_member_who_gave_it(referred, family):
    consents = list(Consent.objects.all())
    assert [c.person for c in consents] == [family["mother"]]
    assert consents[0].method == ConsentMethod.WRITTEN
    assert not Consent.objects.filter(person__in=[family["child"], family["father"]]).exists()


def test_withdrawing_the_only_consent_ends_access_through_page_api_and_csv(
    referred, family, caseworker, outsider, login, api
):
    assert _reads(login, api, outsider, referred) == ALL
    services.consent_withdraw(actor=caseworker, consent=Consent.objects.get())
    assert _reads(login, api, outsider, referred) == NONE
    assert not grants.check()


def test_another_members_own_consent_keeps_access_and_the_preview_says_so(
    referred, family, caseworker, outsider, login, api
):
    mother = Consent.objects.get()
    services.consent_record(
        actor=caseworker,
        person=family["father"],
        data=services.ConsentInput(
            purposes=[ConsentPurpose.INFORMATION_SHARING],
            method=ConsentMethod.PROXY,
            proxy_name="草野 和夫",
            proxy_relation="成年後見人",
            obtained_on=timezone.localdate(),
            agencies=[outsider.agency],
        ),
    )
    preview = withdrawal_preview(caseworker, mother, services.ConsentChange(entirely=True))
    kept = [
        a for a in preview.keeps if a.case == referred.number and a.agency == outsider.agency.name
    ]
    assert len(kept) == 1 and any(FATHER in words for words in kept[0].through)
    assert not any(a.agency == outsider.agency.name and a.case for a in preview.loses)
    services.consent_withdraw(actor=caseworker, consent=mother)
    assert _reads(login, api, outsider, referred) == ALL


def test_preview_names_the_agency_that_loses_the_case(referred, caseworker, outsider, login):
    consent = Consent.objects.get()
    preview = withdrawal_preview(caseworker, consent, services.ConsentChange(entirely=True))
    assert (outsider.agency.name, referred.number) in {(a.agency, a.case) for a in preview.loses}
    assert Consent.objects.get().withdrawn_at is None  # the preview changed nothing
    assert not grants.check()
    url = resolve_url("privacy:consent_withdraw", consent.public_id)
    client = login(caseworker)
    page = client.post(url, {"entirely": "on"})
    assert page.status_code == 200
    assert (
        referred.number in page.content.decode() and outsider.agency.name in page.content.decode()
    )
    assert Consent.objects.get().withdrawn_at is None
    done = client.post(url, {"entirely": "on", "confirm": "True", "note": "本人の申し出"})
    assert done.status_code == 302
    assert Consent.objects.get().withdrawn_at is not None


def test_intake_can_name_who_consented_and_a_child_needs_a_proxy(
    family, household, caseworker, outsider
):
    with pytest.raises(ValidationError) as refused:
        _intake(
            caseworker,
            household,
            outsider,
            consenters=[intake_services.Consenter(person=family["child"])],
        )
    assert ErrorCode.CHILD_NEEDS_PROXY in str(refused.value.error_dict["consenters"][0].code)
    assert not Consent.objects.exists()
    proxy = services.GivenHow(
        method=ConsentMethod.PROXY, proxy_name=MOTHER, proxy_relation="親権者"
    )
    _intake(
        caseworker,
        household,
        outsider,
        consenters=[
            intake_services.Consenter(person=family["mother"]),
            intake_services.Consenter(person=family["child"], how=proxy),
        ],
    )
    child = Consent.objects.get(person=family["child"])
    assert (child.method, child.proxy_name, child.proxy_relation) == ("proxy", MOTHER, "親権者")
    assert not Consent.objects.filter(person=family["father"]).exists()


def test_proxy_without_name_or_relation_is_refused_in_japanese(family, caseworker, outsider, login):
    url = resolve_url("privacy:consent_create", family["father"].public_id)
    page = login(caseworker).post(
        url,
        {
            "purposes": [ConsentPurpose.INFORMATION_SHARING],
            "agencies": [outsider.agency.pk],
            "method": ConsentMethod.PROXY,
            "obtained_on": timezone.localdate().isoformat(),
        },
        HTTP_ACCEPT_LANGUAGE="ja",
    )
    assert page.status_code == 200
    text = page.content.decode()
    assert "代理" in text and "氏名" in text
    assert not Consent.objects.exists()


def test_partial_withdrawal_keeps_the_other_agency(
    household, caseworker, outsider, stranger, give_consent
):
    consent = give_consent(household, outsider.agency, stranger.agency)
    person = head_of(household)
    assert grants.person_rows([person.pk])
    services.consent_narrow(
        actor=caseworker,
        consent=consent,
        change=services.ConsentChange(agencies=[outsider.agency]),
        note="この機関とは共有しない",
    )
    consent.refresh_from_db()
    assert consent.withdrawn_at is None
    assert list(consent.agencies.all()) == [stranger.agency]
    holders = {r.holder for r in grants.person_rows([person.pk])}
    assert f"agency:{stranger.agency.pk}" in holders
    assert f"agency:{outsider.agency.pk}" not in holders
    assert not grants.check()


def test_withdrawing_one_purpose_keeps_the_others(household, caseworker, outsider, give_consent):
    both = (ConsentPurpose.INFORMATION_SHARING, ConsentPurpose.INTEGRATED_MEETING)
    consent = give_consent(household, outsider.agency, purposes=both)
    services.consent_narrow(
        actor=caseworker,
        consent=consent,
        change=services.ConsentChange(purposes=[ConsentPurpose.INTEGRATED_MEETING]),
    )
    consent.refresh_from_db()
    assert consent.purposes == [ConsentPurpose.INFORMATION_SHARING]
    assert consent.withdrawn_at is None


def test_history_is_kept_in_order_and_audited_in_words_with_the_case_number(
    household, open_case, caseworker, outsider, stranger, give_consent, login, auditor
):
    consent = give_consent(household, outsider.agency, stranger.agency)
    services.consent_narrow(
        actor=caseworker,
        consent=consent,
        change=services.ConsentChange(agencies=[stranger.agency]),
    )
    services.consent_withdraw(actor=caseworker, consent=consent)
    assert [e.kind for e in consent.events.all()] == ["given", "narrowed", "withdrawn"]
    details = [
        e.detail
        for e in AuditEvent.objects.filter(object_type="consent", object_id=consent.public_id)
        .exclude(action=AuditAction.VIEW)
        .order_by("sequence")
    ]
    assert [d["event"] for d in details] == ["given", "narrowed", "withdrawn"]
    assert all(d["case"] == open_case.number for d in details)
    assert (
        details[1]["words"].startswith("同意の一部撤回")
        and stranger.agency.name in details[1]["words"]
    )
    page = login(caseworker).get(resolve_url("privacy:consent_withdraw", consent.public_id))
    assert page.status_code == 200 and 'data-event="narrowed"' in page.content.decode()
    log = login(auditor).get(resolve_url("audit:audit_log")).content.decode()
    assert f"同意の撤回（{open_case.number}）" in log


def test_consent_records_export_as_27560_json(
    household, caseworker, outsider, give_consent, login, api
):
    consent = give_consent(
        household,
        outsider.agency,
        method=ConsentMethod.PROXY,
        proxy_name="草野 花",
        proxy_relation="家族",
    )
    services.consent_withdraw(actor=caseworker, consent=consent)
    person = head_of(household)
    response = login(caseworker).get(
        resolve_url("registry:person_consents_export", person.public_id)
    )
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    record = data["records"][0]
    for key in (
        "schema_version",
        "record_id",
        "pii_principal_id",
        "consent_status",
        "presence_of_delegation",
        "delegation",
        "collection_method",
        "time_given",
        "validity",
        "pii_controller",
        "purposes",
        "events",
    ):
        assert key in record, key
    assert record["record_id"] == str(consent.public_id)
    assert record["pii_principal_id"] == str(person.public_id)
    assert record["consent_status"] == "dpv:ConsentWithdrawn"
    assert record["delegation"]["delegate"] == "草野 花"
    assert record["purposes"][0]["recipient_third_party"][0]["party_name"] == outsider.agency.name
    assert [e["event_type"] for e in record["events"]] == ["given", "withdrawn"]
    assert AuditEvent.objects.filter(action=AuditAction.DOWNLOAD, object_id=person.public_id)
    by_api = api(caseworker).get(f"/persons/{person.public_id}/consents/export")
    assert (
        by_api.status_code == 200
        and by_api.json()["records"][0]["record_id"] == record["record_id"]
    )
    assert (
        login(outsider)
        .get(resolve_url("registry:person_consents_export", person.public_id))
        .status_code
        == 404
    )


@pytest.fixture
def gas_company(db: Any) -> Agency:
    return Agency.objects.create(name="かさねガス株式会社", agency_type=AgencyType.WATCH_BUSINESS)


def test_pickers_and_api_refuse_a_watch_business(household, caseworker, gas_company, login, api):
    person = head_of(household)
    url = resolve_url("privacy:consent_create", person.public_id)
    page = login(caseworker).get(url)
    assert gas_company.name not in page.content.decode()
    with pytest.raises(ValidationError) as refused:
        services.consent_record(
            actor=caseworker,
            person=person,
            data=services.ConsentInput(
                purposes=[ConsentPurpose.INFORMATION_SHARING],
                method=ConsentMethod.WRITTEN,
                obtained_on=timezone.localdate(),
                agencies=[gas_company],
            ),
        )
    assert refused.value.error_dict["agencies"][0].code == CoreErrorCode.NOT_SUPPORT_AGENCY
    body = {
        "purposes": ["information_sharing"],
        "method": "written",
        "obtained_on": timezone.localdate().isoformat(),
    }
    by_id = api(caseworker).post(
        f"/persons/{person.public_id}/consents",
        {**body, "agency_ids": [str(gas_company.public_id)]},
    )
    assert by_id.status_code in (400, 422)
    assert CoreErrorCode.NOT_SUPPORT_AGENCY in by_id.content.decode()
    by_type = api(caseworker).post(
        f"/persons/{person.public_id}/consents", {**body, "agency_types": ["watch_business"]}
    )
    assert by_type.status_code in (400, 422)
    assert CoreErrorCode.NOT_SUPPORT_AGENCY in by_type.content.decode()
    assert not Consent.objects.exists()


def test_case_page_shows_each_members_consent_state(referred, family, caseworker, login):
    page = login(caseworker).get(resolve_url("cases:case_detail", referred.public_id))
    text = page.content.decode()
    assert 'data-testid="member-consents"' in text
    assert text.count('class="no-consent"') == 2  # the child and the father gave none


def test_intake_form_records_only_the_rows_ticked_as_consenting(caseworker, outsider, login):
    from kasane.intake.tests.test_views import _form

    data = _form(
        outcome=Outcome.REFERRED,
        referral_to=str(outsider.agency.pk),
        referral_reason="息子の障害の可能性",
        referral_request="訪問に同行してほしい",
    )
    data.update({"p-1-consented": "on", "consent_method": ConsentMethod.ORAL})
    response = login(caseworker).post("/intake/new/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    consent = Consent.objects.get()
    assert consent.person.name == "山田 一郎" and consent.method == ConsentMethod.ORAL


def test_intake_api_refuses_a_childs_consent_without_a_proxy(family, household, caseworker, api):
    body = {
        "requester": "family",
        "channel": "phone",
        "household_id": str(household.public_id),
        "needs": ["8050"],
        "main_need": "8050",
        "summary": "子育ての相談",
        "outcome": Outcome.HANDLED,
        "consent_to_share": True,
        "consenters": [{"person_id": str(family["child"].public_id), "method": "written"}],
    }
    refused = api(caseworker).post("/consultations", body)
    assert refused.status_code in (400, 422)
    assert ErrorCode.CHILD_NEEDS_PROXY in refused.content.decode()
    body["consenters"] = [
        {
            "person_id": str(family["child"].public_id),
            "method": "proxy",
            "proxy_name": MOTHER,
            "proxy_relation": "親権者",
        }
    ]
    assert api(caseworker).post("/consultations", body).status_code == 201
    assert [c.person for c in Consent.objects.all()] == [family["child"]]


def test_partial_withdrawal_through_page_and_api(
    household, caseworker, outsider, stranger, give_consent, login, api
):
    consent = give_consent(household, outsider.agency, stranger.agency)
    url = resolve_url("privacy:consent_withdraw", consent.public_id)
    client = login(caseworker)
    preview = client.post(url, {"agencies": [str(_agency(outsider).public_id)]})
    assert 'data-testid="withdraw-preview"' in preview.content.decode()
    done = client.post(url, {"agencies": [str(_agency(outsider).public_id)], "confirm": "True"})
    assert done.status_code == 302
    assert list(consent.agencies.all()) == [stranger.agency]
    response = api(caseworker).post(
        f"/consents/{consent.public_id}/withdraw",
        {"agency_ids": [str(_agency(stranger).public_id)]},
    )
    assert response.status_code == 200 and response.json()["in_force"] is False
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None  # nothing left to share with: a withdrawal
    assert [e.kind for e in consent.events.all()] == ["given", "narrowed", "withdrawn"]


def test_the_history_cannot_be_rewritten(household, outsider, give_consent):
    from django.db import IntegrityError, transaction

    from kasane.privacy.models import ConsentEvent

    consent = give_consent(household, outsider.agency)
    with pytest.raises(IntegrityError), transaction.atomic():
        ConsentEvent.objects.filter(consent=consent).update(kind="withdrawn")
    assert [e.kind for e in consent.events.all()] == ["given"]


def test_the_preview_names_no_one_and_no_case_its_reader_may_not_read(
    referred, family, caseworker, outsider
):
    """The preview speaks of other members' consents and of the household's cases: to a
    reader without a basis on them it names neither (no name, no case number)."""
    from kasane.conftest import AgencyFactory, StaffFactory

    services.consent_record(
        actor=caseworker,
        person=family["father"],
        data=services.ConsentInput(
            purposes=[ConsentPurpose.INFORMATION_SHARING],
            method=ConsentMethod.PROXY,
            proxy_name="草野 和夫",
            proxy_relation="成年後見人",
            obtained_on=timezone.localdate(),
            agencies=[outsider.agency],
        ),
    )
    stranger: Staff = StaffFactory(agency=AgencyFactory(name="無関係の機関"))  # type: ignore[assignment]
    mother = Consent.objects.filter(person=family["mother"]).get()
    preview = withdrawal_preview(stranger, mother, services.ConsentChange(entirely=True))
    entries = [*preview.keeps, *preview.loses]
    assert entries  # the agencies still lose or keep access…
    assert all(a.case == "" for a in entries)  # …but to no case the reader knows of
    assert not any(FATHER in words for a in entries for words in a.through)
    # The one who recorded both consents reads the father: his name is given.
    theirs = withdrawal_preview(caseworker, mother, services.ConsentChange(entirely=True))
    assert any(FATHER in words for a in theirs.keeps for words in a.through)
