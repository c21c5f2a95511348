"""Browser tests of issue #7's pages: a caseworker enrols an authenticator app at first
sign-in (QR drawn on the server, ten recovery codes shown once), and two staff correcting the
same consultation — the second save refused, with what changed."""

from __future__ import annotations

import time
from base64 import b32decode

import pytest
from django.utils import timezone
from django_otp.oath import TOTP
from playwright.sync_api import expect

from kasane.accounts.models import Role, Staff
from kasane.intake import services as intake_services
from kasane.intake.models import Channel, Consultation
from kasane.testing.browser import browser, demo_city, page, shoot, sign_in  # noqa: F401

pytestmark = pytest.mark.browser


def test_caseworker_enrols_an_authenticator_at_first_sign_in(
    page, live_server, demo_city, settings
):
    settings.KASANE_2FA = True
    settings.KASANE_2FA_REQUIRED_ROLES = [r for r in Role.values if r != Role.VOLUNTEER]
    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    page.locator("input[name=username]").fill("houkatsu")
    page.locator("input[name=password]").fill("kasane-demo-2026")
    page.locator("form button[type=submit]").last.click()
    enrol = page.get_by_test_id("two-factor-enrol")
    expect(enrol).to_be_visible()
    expect(page.get_by_test_id("qr-code").locator("svg")).to_be_visible()
    shoot(page, "23-two-factor-enrol")
    secret = page.get_by_test_id("secret").inner_text().replace(" ", "")
    totp = TOTP(b32decode(secret), step=30, t0=0, digits=6, drift=0)
    totp.time = time.time()
    page.locator("input[name=code]").fill(f"{totp.token():06d}")
    page.locator("form button[type=submit]").last.click()
    codes = page.get_by_test_id("recovery-code-list").locator("li")
    expect(codes.first).to_be_visible()
    assert codes.count() == 10
    shoot(page, "24-recovery-codes")


def test_the_second_correction_of_a_consultation_is_refused_with_what_changed(
    page, live_server, demo_city
):
    base = live_server.url
    sign_in(page, base, "houkatsu")
    me = Staff.objects.get(username="houkatsu")
    consultation = Consultation.objects.filter(agency=me.agency).order_by("-received_at").first()
    if consultation is None:  # the small demo city: record one through the service
        from kasane.intake.models import NeedType, Outcome
        from kasane.registry.models import Household

        need = NeedType.objects.get(code="8050")
        consultation = intake_services.consultation_record(
            actor=me,
            received_at=timezone.now(),
            requester="family",
            channel=Channel.PHONE,
            household=Household.objects.filter(registered_by_agency=me.agency).first(),
            needs=[need],
            main_need=need,
            summary="母の介護と息子の就労の相談",
            outcome=Outcome.HANDLED,
        )
    page.goto(f"{base}/intake/{consultation.public_id}/edit/")
    expect(page.get_by_test_id("consultation-edit")).to_be_visible()
    # Meanwhile a colleague of the same agency corrects the channel and saves first.
    colleague = Staff.objects.filter(agency=me.agency).exclude(pk=me.pk).first() or me
    fresh = Consultation.objects.get(pk=consultation.pk)
    intake_services.consultation_update(
        actor=colleague,
        consultation=fresh,
        received_at=fresh.received_at,
        requester=fresh.requester,
        channel=Channel.HOME_VISIT if fresh.channel != Channel.HOME_VISIT else Channel.PHONE,
        domains=fresh.domains,
        summary=fresh.summary,
        row_version=fresh.row_version,
    )
    page.locator("textarea[name=summary]").fill("訂正：母の介護、息子の就労、家計の相談")
    page.get_by_test_id("consultation-edit").locator("button[type=submit]").click()
    conflict = page.get_by_test_id("edit-conflict")
    expect(conflict).to_be_visible()
    shoot(page, "22-consultation-edit-conflict")
    assert Consultation.objects.get(pk=consultation.pk).summary == fresh.summary
