"""The authorization matrix's machinery: a small world, its personas, every route made
concrete, and a probe that says what each persona got.

The world is one household of 8050 shape (鷲尾 和夫 and his son), its case led by a 地域包括
with a team, referrals, a 支援会議 with a pledged and an unpledged attendee, a 重層的支援会議,
consent, an assessment, an approved plan and its review, a consultation, an outreach
target from a 民生委員's report, a match with its follow-ups, a community issue and place —
all made through the services, so that every page has a real record to show or to refuse.

Routes come from the URL resolver (recursively through includes) and API operations from
the OpenAPI schema, so a new route is probed the day it is added. A route whose path
parameters the world cannot fill makes the test fail and asks for a filler in
``FILLERS`` — it is never skipped.
"""

from kasane.testing.matrix.fillers import (
    API_BODIES,
    API_FILLER_OVERRIDES,
    API_FILLERS,
    MISSING,
    SITE_FILLERS,
    Filler,
    MissingFiller,
    api_body,
    api_path,
    site_path,
)
from kasane.testing.matrix.outcomes import (
    LOGIN,
    NAME_FAMILIES,
    OK,
    api_client,
    leaked_names,
    outcome_of,
    probe,
    response_text,
    session_client,
)
from kasane.testing.matrix.personas import (
    ANON,
    ASSESSMENT_STRENGTHS,
    CONSULTATION_SUMMARY,
    GOAL_TEXT,
    HEAD_KANA,
    HEAD_NAME,
    NOTE_TEXT,
    OUTSIDER_HEAD_KANA,
    OUTSIDER_HEAD_NAME,
    PERSONAS,
    SON_KANA,
    SON_NAME,
    TARGET_KANA,
    TARGET_NAME,
    World,
)
from kasane.testing.matrix.routes import (
    Operation,
    Route,
    fill,
    fill_api,
    iter_operations,
    match_rule,
    resolves_to,
    site_routes,
)
from kasane.testing.matrix.world import build_world

__all__ = [
    "ANON",
    "API_BODIES",
    "API_FILLERS",
    "API_FILLER_OVERRIDES",
    "ASSESSMENT_STRENGTHS",
    "CONSULTATION_SUMMARY",
    "GOAL_TEXT",
    "HEAD_KANA",
    "HEAD_NAME",
    "LOGIN",
    "MISSING",
    "NAME_FAMILIES",
    "NOTE_TEXT",
    "OK",
    "OUTSIDER_HEAD_KANA",
    "OUTSIDER_HEAD_NAME",
    "PERSONAS",
    "SITE_FILLERS",
    "SON_KANA",
    "SON_NAME",
    "TARGET_KANA",
    "TARGET_NAME",
    "Filler",
    "MissingFiller",
    "Operation",
    "Route",
    "World",
    "api_body",
    "api_client",
    "api_path",
    "build_world",
    "fill",
    "fill_api",
    "iter_operations",
    "leaked_names",
    "match_rule",
    "outcome_of",
    "probe",
    "resolves_to",
    "response_text",
    "session_client",
    "site_path",
    "site_routes",
]
