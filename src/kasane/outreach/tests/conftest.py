"""Outreach personas: a 民生委員, a newspaper shop with a watch agreement (and one without),
an outreach worker of an NPO, and a town block to report from."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest

from kasane.accounts.models import Agency, AgencyType, Role, Staff
from kasane.conftest import AgencyFactory, AreaFactory, StaffFactory
from kasane.outreach import services
from kasane.outreach.models import OutreachTarget, WatchAgreement, WatchBusinessKind
from kasane.registry.models import Area, AreaKind


@pytest.fixture
def block(db: Any) -> Area:
    city = AreaFactory.create(code="K", name="かさね市", kind=AreaKind.CITY)
    return AreaFactory.create(code="K3101", name="本町一丁目", kind=AreaKind.BLOCK, parent=city)


@pytest.fixture
def minsei(db: Any) -> Staff:
    agency = AgencyFactory.create(
        name="民生委員児童委員協議会", agency_type=AgencyType.COMMISSIONED_VOLUNTEERS
    )
    return StaffFactory.create(username="minsei", agency=agency, role=Role.VOLUNTEER)


@pytest.fixture
def other_minsei(minsei: Staff) -> Staff:
    return StaffFactory.create(username="minsei2", agency=minsei.agency, role=Role.VOLUNTEER)


def watch_business(name: str, *, agreed: bool = True) -> Agency:
    agency = AgencyFactory.create(name=name, agency_type=AgencyType.WATCH_BUSINESS, domains=[])
    if agreed:
        WatchAgreement.objects.create(
            agency=agency, kind=WatchBusinessKind.NEWSPAPER, agreed_on=datetime.date(2024, 4, 1)
        )
    return agency


@pytest.fixture
def shinbun(db: Any) -> Staff:
    return StaffFactory.create(
        username="shinbun", agency=watch_business("かさね新聞販売店"), role=Role.VOLUNTEER
    )


@pytest.fixture
def unagreed(db: Any) -> Staff:
    """Staff of a business without a watch agreement: may not report."""
    return StaffFactory.create(
        username="unagreed",
        agency=watch_business("協定なし商店", agreed=False),
        role=Role.VOLUNTEER,
    )


@pytest.fixture
def outreach_agency(db: Any) -> Agency:
    return AgencyFactory.create(name="NPO法人 よりそいネット", agency_type=AgencyType.NPO)


@pytest.fixture
def outreach_worker(outreach_agency: Agency) -> Staff:
    return StaffFactory.create(
        username="outreach", agency=outreach_agency, role=Role.OUTREACH_WORKER
    )


@pytest.fixture
def other_outreach_worker(db: Any) -> Staff:
    """An outreach worker of another NPO: does not see the first one's targets."""
    agency = AgencyFactory.create(name="NPO法人 別の団体", agency_type=AgencyType.NPO)
    return StaffFactory.create(username="outreach2", agency=agency, role=Role.OUTREACH_WORKER)


@pytest.fixture
def report(minsei: Staff, block: Area) -> Any:
    return services.concern_report_create(
        actor=minsei, area=block, who="高齢の男性（一人暮らし）", signs=["newspapers"]
    )


@pytest.fixture
def make_target(outreach_worker: Staff, block: Area) -> Callable[..., OutreachTarget]:
    def _make(label: str = "この住所の息子（40代）", **fields: Any) -> OutreachTarget:
        actor = fields.pop("actor", outreach_worker)
        values: dict[str, Any] = {"area": block, "address": "かさね市本町一丁目3-4"}
        values.update(fields)
        return services.target_open(actor=actor, label=label, **values)

    return _make


@pytest.fixture
def target(make_target: Callable[..., OutreachTarget]) -> OutreachTarget:
    return make_target()
