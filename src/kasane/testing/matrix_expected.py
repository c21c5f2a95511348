"""What every persona gets from every route: the authorization matrix's expected table.

One rule a line: a route pattern (``fnmatch`` on ``namespace:name`` for pages, on
``METHOD /path`` for API operations; the first rule that matches wins) and who gets what::

    "BASIS: ok; team_nobasis: 403; *: 404"

``*`` is every signed-in persona the rule does not name. Anonymous visitors get the sign-in
page (pages) or 401 (API) unless the rule names ``anon``. Outcomes: ``ok`` (2xx, or a
redirect elsewhere than the sign-in page), ``login`` (a redirect to a sign-in page), or a
status code. A page that answers GET with 405 is probed with an empty POST, and an empty
POST that fails its form redirects back (``ok``) without doing anything: the write itself is
refused by the service, which the API rows (valid bodies) show.

A route no rule matches fails the test: a new page or operation must be given its line
here, and so its answer for every persona is decided by someone, not by default.

Personas (``matrix.PERSONAS``): the lead agency's ``caseworker`` (地域包括), the
municipal ``coordinator``, ``outreach_worker``, ``participation_worker``, the ``volunteer``
(民生委員) who filed the report, ``analyst``, ``auditor``, ``admin``; the team agencies
``team_basis`` (named by the head's consent) and ``team_nobasis`` (no consent, pledge or
break-glass in force); an ``outsider`` agency; the ``pledged`` and ``unpledged`` attendees of
the 支援会議 that took up the case; ``pending``, an account the admin made as a caseworker
of the lead agency whose access waits for a second person's confirmation (issue 14), and
``glass_colleague``, a colleague at the 子ども家庭センター of a staff member whose break-glass
on the case is running (``MIRRORS``: where ``team_nobasis`` stands).
"""

from __future__ import annotations

ALIASES: dict[str, tuple[str, ...]] = {
    # May read the case's details: lead agency, coordination, the team agency with consent.
    "BASIS": ("caseworker", "coordinator", "team_basis"),
    # Sees the case exists and who leads it (a team agency without a basis too).
    "ON_CASE": ("caseworker", "coordinator", "team_basis", "team_nobasis"),
    # Roles that do no casework; and an account whose access waits for confirmation, which
    # has no role yet (issue 14: the admin's caseworker reads nothing until confirmed).
    "NO_CASEWORK": ("volunteer", "analyst", "auditor", "admin", "pending"),
    "OUTREACH": ("coordinator", "outreach_worker"),
    "CATALOGUE": ("coordinator", "participation_worker"),
    "EVALUATION": ("coordinator", "analyst"),
    "ALL": (),  # expanded to every persona, anonymous included
}

# Personas that get what another gets unless a rule names them: break-glass is personal, so
# the colleague of one who broke the glass is a team agency's caseworker without a basis.
MIRRORS: dict[str, str] = {"glass_colleague": "team_nobasis"}

SITE: list[tuple[str, str]] = [
    # Public, or the doors in.
    ("healthz", "ALL: ok"),
    ("csp_report", "ALL: 400"),  # an empty report is refused
    ("set_language", "ALL: ok"),
    ("accounts:login", "ALL: ok"),
    ("accounts:logout", "*: login"),
    ("accounts:password_change", "*: ok"),
    ("accounts:two_factor", "*: ok"),
    ("accounts:two_factor_*", "*: 404"),  # no enrolment under way
    # Access requests: answered by a second person (the coordinator; an agency's approver).
    ("accounts:access_request*", "coordinator: ok; *: 404"),
    ("catalogue:*", "ALL: ok"),  # the public catalogue of places to take part
    ("core:*", "*: ok"),
    ("notifications_read", "*: ok"),  # was core:notifications_read (same path)
    # Registry: persons and households, read only on a basis.
    ("registry:resident_import", "coordinator: ok; *: 403"),
    ("registry:person_search", "NO_CASEWORK: 403; *: ok"),
    ("registry:household_list*", "NO_CASEWORK: 403; *: ok"),
    ("registry:household_create", "NO_CASEWORK: 403; *: ok"),
    ("registry:*", "BASIS: ok; *: 404"),
    # Intake.
    ("intake:record_for_household", "BASIS: ok; *: 404"),
    ("intake:consultation_list_csv", "NO_CASEWORK: 404; *: ok"),  # each agency's own
    # The world's consultation is on the case: read on a basis for it (a team agency without
    # one gets the stranger's 404); corrected only by the recording agency.
    ("intake:consultation_edit", "caseworker: ok; *: 404"),
    ("intake:consultation_*", "BASIS: ok; *: 404"),
    ("intake:*", "NO_CASEWORK: 404; *: ok"),
    # Cases.
    ("cases:case_list*", "NO_CASEWORK: 404; *: ok"),
    ("cases:board*", "coordinator: ok; *: 404"),
    ("cases:triage", "coordinator: ok; *: 404"),
    ("cases:accept", "coordinator: ok; *: 404"),
    ("cases:name_lead", "coordinator: ok; *: 404"),
    ("cases:case_close", "BASIS: ok; team_nobasis: 403; *: 404"),
    ("cases:referral_detail", "BASIS: ok; *: 404"),
    ("cases:handover_answer", "caseworker team_basis: ok; *: 404"),  # asked to lead
    ("cases:*", "ON_CASE: ok; *: 404"),
    # Meetings: the 支援会議 is closed; its minutes only to pledged attendees.
    ("meetings:meeting_list*", "NO_CASEWORK: 404; *: ok"),
    ("meetings:meeting_create", "NO_CASEWORK: 404; *: ok"),
    ("meetings:meeting_detail", "coordinator pledged unpledged: ok; *: 404"),
    ("meetings:attendee_add", "coordinator pledged unpledged: ok; *: 404"),  # empty POST
    ("meetings:pledge", "coordinator unpledged: ok; *: 404"),  # the unpledged attendee's
    ("meetings:agenda_add", "coordinator: ok; *: 404"),
    ("meetings:item_*", "coordinator pledged: ok; *: 404"),  # minutes and their printout
    ("meetings:case_meetings", "ON_CASE: ok; *: 404"),
    # Outreach: the volunteer sees only the status of the reports they filed.
    ("outreach:index", "OUTREACH volunteer: ok; *: 404"),
    ("outreach:report_create", "volunteer: ok; *: 404"),
    ("outreach:my_report*", "volunteer: ok; *: 404"),
    ("outreach:attempt_add", "OUTREACH: 400; *: 404"),  # empty POST refused by the form
    ("outreach:stage_move", "OUTREACH: 400; *: 404"),
    ("outreach:target_close", "OUTREACH: 400; *: 404"),
    ("outreach:*", "OUTREACH: ok; *: 404"),
    # Participation: matching is casework; the catalogue is kept by its workers.
    ("matching:match_list_csv", "NO_CASEWORK: 404; *: ok"),
    ("matching:match_list", "NO_CASEWORK: 403; *: ok"),
    ("matching:unmet_needs", "NO_CASEWORK: 403; *: ok"),
    ("matching:person", "BASIS: ok; NO_CASEWORK: 403; *: 404"),
    ("matching:propose", "BASIS: ok; NO_CASEWORK: 403; *: 404"),
    ("matching:*", "caseworker: ok; NO_CASEWORK: 403; *: 404"),  # the proposing agency's
    ("participation:opportunity_create", "CATALOGUE: ok; NO_CASEWORK: 404; *: 403"),
    ("participation:catalogue_import", "CATALOGUE: ok; NO_CASEWORK: 404; *: 403"),
    ("participation:opportunity_edit", "CATALOGUE: ok; NO_CASEWORK: 404; *: 403"),
    ("participation:opportunity_checked", "CATALOGUE: ok; NO_CASEWORK: 404; *: 403"),
    ("participation:*", "NO_CASEWORK: 404; *: ok"),
    # Community: places and de-identified 地域課題.
    ("community:place_create", "NO_CASEWORK: 404; *: ok"),
    ("community:issue_create", "NO_CASEWORK: 404; *: ok"),
    ("community:issue_detail", "NO_CASEWORK: 404; *: ok"),
    ("community:issues", "volunteer auditor admin pending: 404; *: ok"),
    ("community:*", "auditor admin pending: 404; *: ok"),
    # Plans: details, so a team agency without a basis is told so (403).
    # The plan's remove actions: an empty POST names no goal or action of the plan (404).
    ("plans:plan_*_remove", "team_nobasis: 403; *: 404"),
    ("plans:*", "BASIS: ok; team_nobasis: 403; *: 404"),
    # Evaluation: aggregates; analysts read, coordinators also write; case list only to them.
    ("evaluation:indicator_create", "coordinator: ok; *: 404"),
    ("evaluation:annual_report_cases_xlsx", "coordinator: ok; *: 404"),
    ("evaluation:self_assessment_edit", "coordinator: ok; *: 404"),
    ("evaluation:pdca_create", "coordinator: ok; *: 404"),
    ("evaluation:staffing_assumptions", "coordinator: ok; *: 404"),
    ("evaluation:*", "EVALUATION: ok; *: 404"),
    # Privacy.
    ("audit:audit_*", "auditor: ok; *: 403"),
    ("audit:alert_*", "auditor: ok; *: 403"),
    ("privacy:break_glass_list", "coordinator auditor: ok; *: 403"),
    ("privacy:break_glass_review", "coordinator auditor: ok; *: 403"),
    ("privacy:break_glass_start", "ON_CASE: ok; *: 404"),
    ("privacy:consent_*", "BASIS: ok; *: 404"),
    # The API's own URL patterns: a session is no way in (tokens only).
    ("api:openapi-json", "ALL: ok"),
    ("api:api-root", "ALL: 404"),
    ("api:<*>", "ALL: 404"),  # the catch-all
    ("api:minutes_record", "ALL: 405"),  # PUT only
    ("api:report_status_set", "ALL: 405"),  # PUT only
    ("api:*", "ALL: 401"),
    # Django's admin: administrators only; deletion of master data refused even to them.
    ("admin:login", "ALL: ok"),
    ("admin:logout", "admin: login; *: ok"),
    ("admin:autocomplete", "admin: 403; *: login"),
    ("admin:intake_needtype_delete", "admin: 403; *: login"),
    ("admin:outreach_watchagreement_delete", "admin: 403; *: login"),
    ("admin:view_on_site", "admin: 404; *: login"),
    ("admin:<*<url>>", "admin: 404; *: login"),
    ("admin:*", "admin: ok; *: login"),
]

API: list[tuple[str, str]] = [
    ("GET /api/v1/need-types", "*: ok"),
    ("GET /api/v1/agencies", "*: ok"),
    # Registry.
    ("POST /api/v1/households", "NO_CASEWORK: 404; *: ok"),
    ("POST /api/v1/persons/search", "NO_CASEWORK: 404; *: ok"),
    ("* /api/v1/households/*", "BASIS: ok; *: 404"),
    ("POST /api/v1/persons/{person_id}/matches", "BASIS: ok; *: 404"),
    ("* /api/v1/persons/*", "BASIS: ok; *: 404"),
    ("* /api/v1/consents/*", "BASIS: ok; *: 404"),
    # Intake.
    ("POST /api/v1/consultations", "BASIS: ok; *: 404"),
    ("GET /api/v1/consultations", "NO_CASEWORK: 404; *: ok"),
    ("GET /api/v1/consultations/*", "BASIS: ok; *: 404"),  # on the case: on a basis
    # Cases.
    ("POST /api/v1/cases", "outsider: ok; *: 404"),  # of the outsider's own household
    ("GET /api/v1/cases", "NO_CASEWORK: 404; *: ok"),
    ("GET /api/v1/cases/{case_id}", "ON_CASE: ok; *: 404"),  # details only on a basis
    ("POST /api/v1/cases/{case_id}/notes", "ON_CASE: ok; *: 404"),
    ("POST /api/v1/cases/{case_id}/break-glass", "ON_CASE: ok; *: 404"),
    ("GET /api/v1/cases/{case_id}/notes", "BASIS: ok; *: 404"),
    ("POST /api/v1/cases/{case_id}/plans", "BASIS: 400; *: 404"),  # a draft exists
    ("POST /api/v1/cases/{case_id}/closure", "coordinator: ok; *: 404"),  # at the 会議
    ("POST /api/v1/cases/{case_id}/*", "BASIS: ok; *: 404"),
    ("POST /api/v1/referrals", "ON_CASE: ok; *: 404"),
    ("GET /api/v1/referrals/*", "BASIS: ok; *: 404"),
    ("POST /api/v1/referrals/*/complete", "team_basis: ok; *: 404"),  # the recipient
    ("POST /api/v1/referrals/*", "team_basis: 400; *: 404"),  # already accepted
    # Meetings.
    ("POST /api/v1/meetings", "coordinator: ok; NO_CASEWORK: 404; *: 400"),  # 市町村 only
    ("GET /api/v1/meetings/*", "coordinator pledged unpledged: ok; *: 404"),
    ("POST /api/v1/meetings/*/pledge", "coordinator unpledged: ok; *: 404"),
    ("POST /api/v1/meetings/*/agenda", "coordinator: 400; *: 404"),  # already on it
    ("* /api/v1/meetings/*", "coordinator: ok; *: 404"),
    ("GET /api/v1/agenda-items/*", "coordinator pledged: ok; *: 404"),
    ("* /api/v1/agenda-items/*", "coordinator: ok; *: 404"),
    # Plans.
    ("POST /api/v1/plans/*/approve", "coordinator: 400; *: 404"),  # already approved
    ("* /api/v1/plans/*", "BASIS: ok; *: 404"),
    ("* /api/v1/assessments/*", "BASIS: ok; *: 404"),
    # Outreach.
    ("* /api/v1/outreach/reports/mine*", "volunteer: ok; *: 404"),
    ("POST /api/v1/outreach/reports", "volunteer: ok; *: 404"),
    ("* /api/v1/outreach/*", "OUTREACH: ok; *: 404"),
    # Participation.
    ("GET /api/v1/opportunities*", "NO_CASEWORK: 404; *: ok"),
    ("PUT /api/v1/opportunities/*", "CATALOGUE: 400; *: 404"),  # HSDS payload refused
    ("POST /api/v1/opportunities/*", "CATALOGUE: ok; *: 404"),
    ("* /api/v1/matches/*", "caseworker: ok; *: 404"),
    ("* /api/v1/follow-ups/*", "caseworker: ok; *: 404"),
    # Community.
    ("POST /api/v1/community-places", "NO_CASEWORK: 404; *: ok"),
    ("GET /api/v1/community-places*", "auditor admin pending: 404; *: ok"),
]


def parse(spec: str, personas: tuple[str, ...], *, anon_default: str) -> dict[str, str]:
    """The outcome of each persona under one rule's ``who: outcome; ...`` text."""
    anon, signed_in = personas[0], personas[1:]
    named: dict[str, str] = {}
    rest: str | None = None
    for part in spec.split(";"):
        who, _, outcome = part.partition(":")
        outcome = outcome.strip()
        for name in who.split():
            if name == "*":
                rest = outcome
            elif name == "ALL":
                named.update(dict.fromkeys(personas, outcome))
            elif name in ALIASES:
                named.update(dict.fromkeys(ALIASES[name], outcome))
            elif name in personas:
                named[name] = outcome
            else:
                raise ValueError(f"unknown persona {name!r} in {spec!r}")
    table = {anon: anon_default} | {p: rest for p in signed_in if rest is not None}
    table |= named
    # A colleague of a break-glass user stands where their agency stands without a basis.
    for persona, like in MIRRORS.items():
        if persona in personas and persona not in named:
            table[persona] = table[like]
    missing = [p for p in personas if p not in table]
    if missing:
        raise ValueError(f"{spec!r} says nothing of {', '.join(missing)}: add '*: ...'")
    return table
