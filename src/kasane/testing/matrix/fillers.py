"""A concrete value for every path parameter, and a body for every API operation."""

from __future__ import annotations

import datetime
import re
import uuid
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from kasane.testing.matrix.personas import World
from kasane.testing.matrix.routes import Operation, Route, fill, fill_api, match_rule

MISSING = uuid.UUID(int=0x4B41_5341_4E45)  # a well-formed id of no record

Filler = Callable[[World], Any]


def _pid(name: str) -> Filler:
    return lambda w: w.objects[name].public_id


def _pk(name: str) -> Filler:
    return lambda w: w.objects[name].pk


# Path parameters of the site's pages, by route (fnmatch patterns, first match wins). A
# route with a parameter no row fills fails the matrix test: add its row here.
SITE_FILLERS: list[tuple[str, dict[str, Filler]]] = [
    (
        "registry:membership_end",
        {"public_id": _pid("household"), "membership_id": _pid("membership")},
    ),
    ("registry:household_*", {"public_id": _pid("household")}),
    ("accounts:access_request_decide", {"public_id": _pid("access_request")}),
    ("registry:member_add", {"public_id": _pid("household")}),
    ("registry:relation_add", {"public_id": _pid("household")}),
    ("registry:person_*", {"public_id": _pid("head")}),
    ("intake:record_for_household", {"public_id": _pid("household")}),
    ("intake:consultation_*", {"public_id": _pid("consultation")}),
    ("cases:referral_detail", {"public_id": _pid("referral")}),
    ("cases:handover_answer", {"public_id": _pid("handover")}),
    ("cases:*", {"public_id": _pid("case")}),
    (
        "meetings:pledge",
        {"public_id": _pid("support_meeting"), "attendee_id": _pid("unpledged_attendee")},
    ),
    ("meetings:item_*", {"public_id": _pid("support_item")}),
    ("meetings:case_meetings", {"public_id": _pid("case")}),
    ("meetings:*", {"public_id": _pid("support_meeting")}),
    ("outreach:target_from_report", {"report_id": _pid("report")}),
    ("outreach:*report*", {"public_id": _pid("report")}),
    ("outreach:*", {"public_id": _pid("target")}),
    ("matching:person", {"public_id": _pid("head")}),
    ("matching:propose", {"public_id": _pid("head")}),
    ("matching:match_detail", {"public_id": _pid("match")}),
    ("matching:follow_up", {"public_id": _pid("follow_up")}),
    ("participation:catalogue_export", {"fmt": lambda w: "csv"}),
    ("participation:*", {"public_id": _pid("opportunity")}),
    ("catalogue:*", {"public_id": _pid("opportunity")}),
    ("community:place_*", {"public_id": _pid("place")}),
    ("community:issue_*", {"public_id": _pid("issue")}),
    ("plans:assessment_detail", {"public_id": _pid("assessment")}),
    ("plans:assessment_print", {"public_id": _pid("assessment")}),
    ("plans:review_detail", {"public_id": _pid("review")}),
    ("plans:plan_create", {"public_id": _pid("case")}),
    ("plans:plan_diff", {"public_id": _pid("draft")}),
    ("plans:plan_*", {"public_id": _pid("plan")}),
    ("plans:*", {"public_id": _pid("case")}),
    ("privacy:consent_create", {"public_id": _pid("head")}),
    ("privacy:consent_withdraw", {"public_id": _pid("consent")}),
    ("privacy:break_glass_start", {"public_id": _pid("case")}),
    ("privacy:break_glass_review", {"public_id": _pid("break_glass")}),
    ("audit:alert_review", {"pk": _pk("audit_alert")}),
    ("evaluation:indicator_detail", {"code": lambda w: w.objects["indicator"].code}),
    ("evaluation:self_assessment_*", {"fiscal_year": lambda w: w.objects["pdca"].fiscal_year}),
    ("evaluation:pdca_detail", {"public_id": _pid("pdca")}),
    ("core:function_pending", {"slug": lambda w: "community"}),
    ("admin:accounts_agency_*", {"object_id": _pk("lead")}),
    ("admin:<*/accounts/agency/*", {"object_id": _pk("lead")}),
    ("admin:accounts_staff_*", {"object_id": lambda w: w.staff["caseworker"].pk}),
    ("admin:auth_user_password_change", {"id": lambda w: w.staff["caseworker"].pk}),
    ("admin:<*/accounts/staff/*", {"object_id": lambda w: w.staff["caseworker"].pk}),
    ("admin:*needtype*", {"object_id": lambda w: w.objects["needs"][0].pk}),
    ("admin:*watchagreement*", {"object_id": _pk("watch_agreement")}),
    (
        "admin:view_on_site",
        {"content_type_id": _pk("staff_type"), "object_id": lambda w: w.staff["caseworker"].pk},
    ),
    ("admin:app_list", {"app_label": lambda w: "accounts"}),
    ("admin:<*<url>>", {"url": lambda w: "no-such-page/"}),
    # The API's catch-all (a regular expression): a path that names nothing.
    ("api:<*.*>", {"__path__": lambda w: "/api/v1/no-such-endpoint"}),
]
# The API's path parameters, by name (the same for the resolver's api:* routes and the
# OpenAPI schema's operations).
API_FILLERS: dict[str, Filler] = {
    "household_id": _pid("household"),
    "person_id": _pid("head"),
    "consultation_id": _pid("consultation"),
    "case_id": _pid("case"),
    "referral_id": _pid("referral"),
    "meeting_id": _pid("support_meeting"),
    "attendee_id": _pid("unpledged_attendee"),
    "item_id": _pid("support_item"),
    "assessment_id": _pid("assessment"),
    "plan_id": _pid("plan"),
    "consent_id": _pid("consent"),
    "report_id": _pid("report"),
    "target_id": _pid("target"),
    "opportunity_id": _pid("opportunity"),
    "match_id": _pid("match"),
    "follow_up_id": _pid("follow_up"),
    "place_id": _pid("place"),
}


def _today(w: World) -> str:
    return timezone.localdate().isoformat()


# A valid body for every API operation that takes one, so that a write is refused for
# want of access and not for want of a field: the matrix sees the access rule. A body is a
# function of the world; an operation missing here fails the matrix test.
API_BODIES: dict[str, Callable[[World], dict[str, Any]]] = {
    "POST /api/v1/households": lambda w: {
        "head": {"name": "矩形 太郎", "kana": "クケイ タロウ", "birth_date": "1950-01-01"},
        "address": "かさね市本町二丁目1-1",
    },
    "POST /api/v1/persons/search": lambda w: {"q": "ワシオ"},
    "POST /api/v1/consultations": lambda w: {
        "requester": "family",
        "channel": "phone",
        "household_id": str(w.household.public_id),
        "person_ids": [str(w.head.public_id)],
        "needs": ["8050"],
        "main_need": "8050",
        "summary": "電話で相談があった",
        "outcome": "handled",
    },
    "POST /api/v1/cases": lambda w: {"household_id": str(w.outsider_household.public_id)},
    "POST /api/v1/cases/{case_id}/notes": lambda w: {"kind": "phone", "text": "電話した"},
    "POST /api/v1/referrals": lambda w: {
        "case_id": str(w.case.public_id),
        "to_agency_id": str(w.council.public_id),
        "reason": "見守り",
        "request": "訪問",
    },
    "POST /api/v1/referrals/{referral_id}/decline": lambda w: {"reason": "no_capacity"},
    "POST /api/v1/referrals/{referral_id}/complete": lambda w: {"outcome": "つながった"},
    "POST /api/v1/meetings": lambda w: {
        "kind": "support_meeting",
        "place": "市役所 会議室B",
        "held_at": (timezone.now() + datetime.timedelta(days=7)).isoformat(),
    },
    "POST /api/v1/meetings/{meeting_id}/attendees": lambda w: {
        "agency_id": str(w.outside.public_id)
    },
    "POST /api/v1/meetings/{meeting_id}/agenda": lambda w: {"case_id": str(w.case.public_id)},
    "PUT /api/v1/agenda-items/{item_id}/minutes": lambda w: {"minutes": "確認した"},
    "POST /api/v1/agenda-items/{item_id}/decisions": lambda w: {"kind": "note", "text": "確認"},
    "POST /api/v1/cases/{case_id}/assessments": lambda w: {
        "assessed_on": _today(w),
        "strengths": "料理が得意",
    },
    "POST /api/v1/cases/{case_id}/plans": lambda w: {},
    "PUT /api/v1/plans/{plan_id}": lambda w: {"outreach_requested": True},
    "POST /api/v1/plans/{plan_id}/goals": lambda w: {"term": "short", "text": "外出する"},
    "POST /api/v1/plans/{plan_id}/approve": lambda w: {
        "agenda_item_id": str(w.integrated_item.public_id)
    },
    "POST /api/v1/cases/{case_id}/reviews": lambda w: {
        "held_on": _today(w),
        "goals": [{"goal_id": str(w.goal.lineage), "result": "achieved"}],
        "next_review_on": (timezone.localdate() + datetime.timedelta(days=60)).isoformat(),
    },
    "POST /api/v1/cases/{case_id}/closure": lambda w: {
        "held_on": _today(w),
        "goals": [{"goal_id": str(w.goal.lineage), "result": "achieved"}],
        "reason": "goals_met",
        "agenda_item_id": str(w.integrated_item.public_id),
    },
    "POST /api/v1/persons/{person_id}/consents": lambda w: {
        "purposes": ["information_sharing"],
        "agency_ids": [str(w.outside.public_id)],
        "method": "written",
        "obtained_on": _today(w),
    },
    "POST /api/v1/consents/{consent_id}/withdraw": lambda w: {},
    "POST /api/v1/cases/{case_id}/break-glass": lambda w: {
        "reason": "本人と連絡が取れず、生命の危険があるため緊急に確認する"
    },
    "POST /api/v1/outreach/reports": lambda w: {
        "who": "高齢の女性",
        "area": w.block.code,
        "signs": ["newspapers"],
    },
    "PUT /api/v1/outreach/reports/{report_id}/status": lambda w: {"status": "in_progress"},
    "POST /api/v1/outreach/targets": lambda w: {"label": "角の家の娘さん"},
    "POST /api/v1/outreach/targets/{target_id}/attempts": lambda w: {
        "attempted_on": _today(w),
        "method": "letter",
        "result": "letter_left",
    },
    "POST /api/v1/outreach/targets/{target_id}/stage": lambda w: {"stage": "contacted"},
    "POST /api/v1/outreach/targets/{target_id}/close": lambda w: {"reason": "moved"},
    "PUT /api/v1/opportunities/{opportunity_id}": lambda w: {"capacity": 12},
    "POST /api/v1/opportunities/{opportunity_id}/checked": lambda w: {"vacancies": 2},
    "POST /api/v1/persons/{person_id}/suggestions": lambda w: {},
    "POST /api/v1/persons/{person_id}/matches": lambda w: {
        "opportunity_id": str(w.other_opportunity.public_id)
    },
    "POST /api/v1/matches/{match_id}/stage": lambda w: {"stage": "settled"},
    "POST /api/v1/follow-ups/{follow_up_id}": lambda w: {"done_on": _today(w), "note": "元気"},
    "POST /api/v1/community-places": lambda w: {
        "name": "本町こども食堂",
        "kind": "children_cafeteria",
        "area_code": w.block.code,
        "organizer": "本町自治会",
        "organizer_type": "residents",
        "frequency": "monthly",
    },
}


def api_body(operation: Operation, world: World) -> Any:
    """The JSON body of an operation, or None when it takes none."""
    if operation.key in API_BODIES:
        return API_BODIES[operation.key](world)
    if "requestBody" in operation.spec:
        raise MissingFiller(f"{operation.key}: add a body to API_BODIES")
    return None


# Operations that need another record than their parameter's usual one.
API_FILLER_OVERRIDES: dict[str, dict[str, Filler]] = {
    # Only a draft can be changed: the approved version would refuse anyone.
    "PUT /api/v1/plans/{plan_id}": {"plan_id": _pid("draft")},
    "POST /api/v1/plans/{plan_id}/goals": {"plan_id": _pid("draft")},
}


class MissingFiller(LookupError):
    pass


def site_path(route: Route, world: World) -> str:
    """The route made concrete from the world; MissingFiller names what to add."""
    if route.key.startswith("api:") and route.params:
        fillers: dict[str, Filler] = API_FILLERS
    else:
        pattern = match_rule(route.key, [p for p, _ in SITE_FILLERS])
        fillers = dict(SITE_FILLERS)[pattern] if pattern else {}
    missing = [p for p in route.params if p not in fillers]
    if missing:
        raise MissingFiller(f"{route.key} ({route.template}): {', '.join(missing)}")
    if "__path__" in fillers:
        return str(fillers["__path__"](world))
    if re.search(r"\.\*|\.\+|[()|\[\]^$?]", route.template):
        raise MissingFiller(f"{route.key} ({route.template}): a regular expression, add __path__")
    return fill(route.template, {p: fillers[p](world) for p in route.params})


def api_path(operation: Operation, world: World) -> str:
    fillers = API_FILLERS | API_FILLER_OVERRIDES.get(operation.key, {})
    missing = [p for p in operation.params if p not in fillers]
    if missing:
        raise MissingFiller(f"{operation.key}: {', '.join(missing)}")
    return fill_api(operation.template, {p: fillers[p](world) for p in operation.params})
