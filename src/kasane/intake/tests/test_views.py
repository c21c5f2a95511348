"""Recording a consultation through the 相談受付票, as staff do."""

import pytest
from django.utils import timezone

from kasane.audit.models import AuditEvent
from kasane.cases.models import Case, Referral, ReferralStatus
from kasane.intake.models import Consultation, NeedType, Outcome


def _rows(*people):
    data = {
        "p-TOTAL_FORMS": "5",
        "p-INITIAL_FORMS": "0",
        "p-MIN_NUM_FORMS": "0",
        "p-MAX_NUM_FORMS": "10",
    }
    defaults = ["head", "child", "child", "child", "child"]
    for i in range(5):
        data[f"p-{i}-relationship"] = defaults[i]
        data[f"p-{i}-sex"] = "unknown"
    for i, (relationship, name, kana, birth) in enumerate(people):
        data.update(
            {
                f"p-{i}-relationship": relationship,
                f"p-{i}-name": name,
                f"p-{i}-kana": kana,
                f"p-{i}-birth_date": birth,
            }
        )
    return data


def _form(**overrides):
    needs = NeedType.objects.filter(code__in=["8050", "hikikomori"])
    data = {
        "received_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "requester": "family",
        "channel": "phone",
        "needs": [str(n.pk) for n in needs],
        "main_need": str(needs.get(code="8050").pk),
        "domains": ["elderly", "youth"],
        "summary": "母（82）が息子（52）のひきこもりを心配している。",
        "consent_to_share": "on",
        "outcome": Outcome.HANDLED,
        "hh-address": "かさね市本町一丁目2-3",
    }
    data.update(
        _rows(
            ("head", "山田 ハナ", "やまだ はな", "1944-03-01"),
            ("child", "山田 一郎", "ﾔﾏﾀﾞ ｲﾁﾛｳ", "1974-05-05"),
            ("grandchild", "山田 翔", "ヤマダ ショウ", "2010-01-20"),
        )
    )
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_new_household_of_three_with_two_needs_referred(caseworker, outsider, login):
    client = login(caseworker)
    response = client.post(
        "/intake/new/",
        _form(
            outcome=Outcome.REFERRED,
            referral_to=str(outsider.agency.pk),
            referral_reason="息子の障害の可能性",
            referral_request="訪問に同行してほしい",
        ),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    consultation = Consultation.objects.get()
    assert consultation.persons.count() == 3
    assert consultation.needs.filter(is_main=True).get().need_type.code == "8050"
    case = Case.objects.get()
    assert response["Location"] == f"/cases/{case.public_id}/"
    referral = Referral.objects.get()
    assert referral.to_agency == outsider.agency and referral.status == ReferralStatus.REQUESTED
    assert AuditEvent.objects.filter(object_type="consultation", action="create").exists()

    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "山田 ハナ" in page.content.decode()

    # The other agency finds it in its inbox and accepts.
    other = login(outsider)
    home = other.get("/").content.decode()
    assert case.number in home
    accepted = other.post(f"/cases/referrals/{referral.public_id}/", {"action": "accept"})
    assert accepted.status_code == 302
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED


@pytest.mark.django_db
def test_consultation_with_nobody_is_refused(caseworker, login):
    data = _form()
    for key in [
        k for k in data if k.startswith("p-") and k.endswith(("name", "kana", "birth_date"))
    ]:
        data[key] = ""
    response = login(caseworker).post("/intake/new/", data)
    assert response.status_code == 200
    assert Consultation.objects.count() == 0
    assert "世帯主" in response.content.decode() or "head" in response.content.decode()


@pytest.mark.django_db
def test_posting_twice_records_once(caseworker, login):
    client = login(caseworker)
    data = _form(token="6f1c7a2e-1111-4c1a-9a7e-000000000001")
    first = client.post("/intake/new/", data)
    second = client.post("/intake/new/", data)
    assert first.status_code == second.status_code == 302
    assert Consultation.objects.count() == 1
