"""A small city for the community tests: two 圏域, three 中学校区, a few 町丁目, and the
personas of the root conftest plus a volunteer (民生委員)."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from kasane.accounts.models import Agency, Role, Staff
from kasane.community import services
from kasane.community.models import Frequency, OrganizerType, Place, PlaceKind
from kasane.conftest import AgencyFactory, StaffFactory, make_household
from kasane.core import publication
from kasane.core.dates import fiscal_year
from kasane.intake.models import Consultation, ConsultationNeed, NeedType
from kasane.registry.models import Area, AreaKind, Household


@pytest.fixture
def city(db: Any) -> dict[str, Area]:
    """北部圏域 ⊃ {北中学校区 ⊃ {北町, 上野}, 桜中学校区 ⊃ {桜台}}; 南部圏域 ⊃ 南中学校区 ⊃ 南町."""
    areas: dict[str, Area] = {}

    def add(code: str, name: str, kind: AreaKind, parent: str | None) -> None:
        areas[name] = Area.objects.create(
            code=code, name=name, kind=kind, parent=areas[parent] if parent else None
        )

    add("K", "かさね市", AreaKind.CITY, None)
    add("K1", "北部圏域", AreaKind.SPHERE, "かさね市")
    add("K2", "南部圏域", AreaKind.SPHERE, "かさね市")
    add("K11", "北中学校区", AreaKind.SCHOOL_DISTRICT, "北部圏域")
    add("K12", "桜中学校区", AreaKind.SCHOOL_DISTRICT, "北部圏域")
    add("K21", "南中学校区", AreaKind.SCHOOL_DISTRICT, "南部圏域")
    add("K1101", "北町", AreaKind.BLOCK, "北中学校区")
    add("K1102", "上野", AreaKind.BLOCK, "北中学校区")
    add("K1201", "桜台", AreaKind.BLOCK, "桜中学校区")
    add("K2101", "南町", AreaKind.BLOCK, "南中学校区")
    return areas


@pytest.fixture
def volunteer(db: Any) -> Staff:
    agency = AgencyFactory.create(name="かさね市民生委員児童委員協議会")
    return StaffFactory.create(username="minsei", agency=agency, role=Role.VOLUNTEER)


@pytest.fixture
def add_place(caseworker: Staff) -> Callable[..., Place]:
    def _add(area: Area, name: str, kind: str = PlaceKind.SALON, **extra: Any) -> Place:
        return services.place_create(
            actor=caseworker,
            name=name,
            kind=kind,
            area=area,
            organizer=extra.pop("organizer", "北町自治会"),
            organizer_type=extra.pop("organizer_type", OrganizerType.RESIDENTS),
            frequency=extra.pop("frequency", Frequency.MONTHLY),
            **extra,
        )

    return _add


def this_year_day() -> datetime.datetime:
    """A moment inside the current 年度 and not in the future."""
    return timezone.now() - datetime.timedelta(minutes=5)


def published_day() -> datetime.datetime:
    """A moment the published figures count (the evening before this month's cut-off,
    ``kasane.core.publication``): in April it falls in the previous 年度."""
    return publication.cutoff() - datetime.timedelta(hours=6)


def published_year() -> int:
    """The 年度 of ``published_day``."""
    return fiscal_year(timezone.localtime(published_day()).date())


@pytest.fixture
def consult(caseworker: Staff) -> Callable[..., Consultation]:
    """A consultation about a new household in the area, with the given needs (codes).

    Built directly, not through the intake service: these tests are about counting."""
    counter = {"n": 0}

    def _consult(
        area: Area | None,
        needs: list[str],
        *,
        household: Household | None = None,
        at: datetime.datetime | None = None,
        name: str | None = None,
    ) -> Consultation:
        counter["n"] += 1
        agency: Agency = caseworker.agency  # type: ignore[assignment]
        if household is None:
            household = make_household(
                agency,
                name=name or f"試験 太郎{counter['n']}",
                kana="シケン タロウ",
                area=area,
            )
        consultation = Consultation.objects.create(
            received_at=at or this_year_day(),
            agency=agency,
            staff=caseworker,
            requester="self",
            channel="phone",
            household=household,
            summary="テスト",
            outcome="handled",
        )
        for i, code in enumerate(needs):
            ConsultationNeed.objects.create(
                consultation=consultation,
                need_type=NeedType.objects.get(code=code),
                is_main=i == 0,
            )
        return consultation

    return _consult
