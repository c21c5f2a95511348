"""The personas of the matrix, the names its world gives people, and the World itself."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kasane.accounts.models import Agency, Staff

# The name and kana of every person in the world: no page or error of an unauthorised
# persona may show any of them.
HEAD_NAME = "鷲尾 和夫"
HEAD_KANA = "ワシオ カズオ"
SON_NAME = "鷲尾 誠"
SON_KANA = "ワシオ マコト"
TARGET_NAME = "大川 誠一"
TARGET_KANA = "オオカワ セイイチ"
OUTSIDER_HEAD_NAME = "別府 花子"
OUTSIDER_HEAD_KANA = "ベップ ハナコ"
NOTE_TEXT = "自宅を訪問し、本人と面談した。"
ASSESSMENT_STRENGTHS = "絵を描くのが得意"
GOAL_TEXT = "安心して暮らしたい"
CONSULTATION_SUMMARY = "母が息子のひきこもりを心配している。"
# Personas, in the order of the table's columns.
ANON = "anon"
PERSONAS: tuple[str, ...] = (
    ANON,
    "caseworker",  # the lead agency's caseworker (地域包括): the case is its own
    "coordinator",  # municipal 多機関協働; the case was sent to coordination
    "outreach_worker",
    "participation_worker",
    "volunteer",  # a 民生委員 who filed the concern report
    "analyst",
    "auditor",
    "admin",
    "team_basis",  # 障害 agency on the team, named by the head's consent
    "team_nobasis",  # 子ども家庭センター on the team, without consent or pledge
    "outsider",  # くらし相談窓口: nothing to do with the household
    "pledged",  # 社協: attended the 支援会議 that took up the case, pledge recorded
    "unpledged",  # 保健センター: attended the same 支援会議, no pledge
    # Issue 14: an account the admin made as a caseworker of the lead agency, waiting for a
    # second person's confirmation; and a colleague (子ども家庭センター) of a staff member who
    # broke the glass on the case. Both see nothing beyond existence.
    "pending",
    "glass_colleague",
)


@dataclass
class World:
    """The records every route is filled from, and the staff of each persona."""

    staff: dict[str, Staff] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    objects: dict[str, Any] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        try:
            return self.__dict__["objects"][name]
        except KeyError as exc:
            raise AttributeError(name) from exc


def _agency(name: str, agency_type: str, domains: list[str] | None = None) -> Agency:
    return Agency.objects.create(
        name=name,
        agency_type=agency_type,
        domains=domains if domains is not None else ["elderly"],
        confidentiality_basis="statutory",
    )


def _staff(username: str, agency: Agency | None, role: str, **extra: Any) -> Staff:
    staff = Staff(
        username=username, display_name=f"{username}さん", agency=agency, role=role, **extra
    )
    staff.set_unusable_password()
    staff.save()
    return staff
