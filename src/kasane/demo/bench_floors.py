# ruff: noqa: S608 - every statement is composed of this module's constants; values are bound
"""The SQL floors of ``kasane bench``: each page's rows fetched by one hand-written query.

A floor is the least the database must do to give a page its rows: one statement, written
by hand, that reads the rows the page shows (its first page, with the count the pager
needs) through the indexes that exist. Who may read which person is not worked out again
in each floor: before timing, the bench writes the persons each actor may read, as the
access policy computes them today, into a temporary table ``bench_grant`` (staff, person),
and the floors join it — the cost of an access filter that is an index lookup, which is
what the access-policy issue asks of every list. Pages whose rows are the agency's own
records (household list, export) filter on the agency column alone, as the page does.

Each floor takes the bench's ``Target`` and returns the number of rows it fetched.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import connection
from django.utils import timezone

from kasane.cases.models import OPEN_STATUSES, ReferralStatus
from kasane.core import kana
from kasane.core.dates import fiscal_year_bounds
from kasane.registry.selectors import visible_persons

if TYPE_CHECKING:
    from kasane.accounts.models import Staff
    from kasane.demo.bench import Target

PAGE = 50  # the list pages' page size (case, household, board and outreach lists)
TIMELINE_PAGE = 30
QUIET_DAYS = 30

GRANT_TABLE = "bench_grant"


def fetch(sql: str, params: Sequence[Any] = ()) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return len(cursor.fetchall())


def write_grants(actors: Sequence[Staff]) -> dict[int, int]:
    """Materialise, for each actor, the persons the access policy lets them read (untimed
    setup, in a temporary table of this connection); the number of persons per actor."""
    counts: dict[int, int] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {GRANT_TABLE} ("
            "staff_id integer NOT NULL, person_id bigint NOT NULL, "
            "PRIMARY KEY (staff_id, person_id))"
        )
        for actor in {a.pk: a for a in actors}.values():
            cursor.execute(f"DELETE FROM {GRANT_TABLE} WHERE staff_id = %s", [actor.pk])
            sql, params = visible_persons(actor).values("id").query.sql_with_params()
            cursor.execute(
                f"INSERT INTO {GRANT_TABLE} (staff_id, person_id) SELECT %s, v.id FROM ({sql}) v",
                [actor.pk, *params],
            )
            cursor.execute(f"SELECT COUNT(*) FROM {GRANT_TABLE} WHERE staff_id = %s", [actor.pk])
            counts[actor.pk] = int(cursor.fetchone()[0])
        if connection.vendor == "postgresql":
            cursor.execute(f"ANALYZE {GRANT_TABLE}")
    return counts


def _in(values: Sequence[str]) -> str:
    return ", ".join(["%s"] * len(values))


def _fy_range(fiscal_year: int) -> tuple[datetime.datetime, datetime.datetime]:
    start, end = fiscal_year_bounds(fiscal_year)
    tz = timezone.get_current_timezone()
    return (
        datetime.datetime.combine(start, datetime.time.min, tzinfo=tz),
        datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz),
    )


# The readable head of a case's household: its name only when the actor may read the person.
_HEAD = (
    "LEFT JOIN registry_membership hm ON hm.household_id = c.household_id "
    "AND hm.ended_on IS NULL AND hm.relationship = 'head' "
    f"LEFT JOIN {GRANT_TABLE} g ON g.staff_id = %s AND g.person_id = hm.person_id "
    "LEFT JOIN registry_person hp ON hp.id = g.person_id "
)


def search(target: Target, query: str) -> int:
    """Persons the actor may read whose name or kana contains the query: the bigram index,
    the substring test, the grant join, the first 51 by kana with their current household."""
    normalized = kana.normalize(query)
    tokens = kana.query_tokens(query)
    if connection.vendor == "postgresql":
        terms = " & ".join(f"'{t}':*" if len(t) == 1 else f"'{t}'" for t in tokens)
        index = "to_tsvector('simple', p.search_tokens) @@ to_tsquery('simple', %s)"
    else:
        terms = " AND ".join(f'"{t}"*' if len(t) == 1 else f'"{t}"' for t in tokens)
        index = "p.id IN (SELECT rowid FROM registry_person_fts WHERE registry_person_fts MATCH %s)"
    like = f"%{normalized}%"
    return fetch(
        "SELECT p.id, p.public_id, p.name, p.kana, p.birth_date, a.name, m.household_id "
        "FROM registry_person p "
        f"JOIN {GRANT_TABLE} g ON g.staff_id = %s AND g.person_id = p.id "
        "LEFT JOIN registry_area a ON a.id = p.area_id "
        "LEFT JOIN registry_membership m ON m.person_id = p.id AND m.ended_on IS NULL "
        f"WHERE {index} AND (p.name_normalized LIKE %s OR p.kana_normalized LIKE %s) "
        "ORDER BY p.kana_normalized, p.id LIMIT 51",
        [target.actor.pk, terms, like, like],
    )


def case_page(target: Target) -> int:
    """The case and the first page of its timeline as the actor's agency sees it."""
    assert target.case_id is not None
    return fetch(
        "SELECT c.id, c.number, c.status, c.opened_at, e.id, e.at, e.kind, e.detail "
        "FROM cases_case c JOIN cases_caseevent e ON e.case_id = c.id "
        "WHERE c.id = %s AND (e.restricted_to_agency_id IS NULL "
        "OR e.restricted_to_agency_id = %s) "
        "ORDER BY e.at DESC, e.id DESC LIMIT %s",
        [target.case_id, target.actor.agency_id, TIMELINE_PAGE],
    )


def home(target: Target) -> int:
    """The inbox's lists in one statement: referrals waiting for the agency, its overdue
    and declined referrals, and its open cases gone quiet (with their readable heads)."""
    now = timezone.now()
    quiet_since = now - datetime.timedelta(days=QUIET_DAYS)
    agency = target.actor.agency_id
    requested, declined = ReferralStatus.REQUESTED.value, ReferralStatus.DECLINED.value
    open_statuses = [str(s) for s in OPEN_STATUSES]
    return fetch(
        "SELECT * FROM (SELECT 'waiting' AS part, r.id, r.due_at AS at, NULL AS name "
        "FROM cases_referral r WHERE r.to_agency_id = %s AND r.status = %s "
        "ORDER BY r.due_at, r.id LIMIT %s) w "
        "UNION ALL SELECT * FROM (SELECT 'overdue', r.id, r.due_at, NULL "
        "FROM cases_referral r WHERE r.from_agency_id = %s AND r.status = %s "
        "AND r.due_at < %s ORDER BY r.due_at, r.id LIMIT %s) o "
        "UNION ALL SELECT * FROM (SELECT 'declined', r.id, r.responded_at, NULL "
        "FROM cases_referral r WHERE r.from_agency_id = %s AND r.status = %s "
        "AND r.decline_seen_at IS NULL ORDER BY r.responded_at DESC, r.id LIMIT %s) d "
        "UNION ALL SELECT * FROM (SELECT 'quiet', c.id, MAX(n.created_at) AS last_note, hp.name "
        "FROM cases_case c LEFT JOIN cases_casenote n ON n.case_id = c.id "
        f"{_HEAD}"
        f"WHERE c.lead_agency_id = %s AND c.status IN ({_in(open_statuses)}) "
        "GROUP BY c.id, c.opened_at, hp.name "
        "HAVING MAX(n.created_at) < %s OR (MAX(n.created_at) IS NULL AND c.opened_at < %s) "
        "ORDER BY last_note, c.opened_at LIMIT %s) q",
        [
            agency,
            requested,
            PAGE,
            agency,
            requested,
            now,
            PAGE,
            agency,
            declined,
            PAGE,
            target.actor.pk,
            agency,
            *open_statuses,
            quiet_since,
            quiet_since,
            PAGE,
        ],
    )


def case_list(target: Target) -> int:
    """The open cases the agency is on the team of, newest first, with the total."""
    open_statuses = [str(s) for s in OPEN_STATUSES]
    return fetch(
        "SELECT c.id, c.public_id, c.number, c.status, c.opened_at, la.name, hp.name, "
        "COUNT(*) OVER () FROM cases_case c "
        "JOIN cases_teammember t ON t.case_id = c.id AND t.agency_id = %s "
        "AND t.left_at IS NULL "
        "JOIN accounts_agency la ON la.id = c.lead_agency_id "
        f"{_HEAD}"
        f"WHERE c.status IN ({_in(open_statuses)}) "
        "ORDER BY c.opened_at DESC, c.id DESC LIMIT %s",
        [target.actor.agency_id, target.actor.pk, *open_statuses, PAGE],
    )


def household_list(target: Target) -> int:
    """The agency's households, newest first, with the total and their current members."""
    return fetch(
        "SELECT h.id, h.public_id, h.address, h.total, a.name, p.name, p.kana, m.relationship "
        "FROM (SELECT id, public_id, address, area_id, created_at, COUNT(*) OVER () AS total "
        "FROM registry_household WHERE registered_by_agency_id = %s "
        "ORDER BY created_at DESC, id DESC LIMIT %s) h "
        "LEFT JOIN registry_area a ON a.id = h.area_id "
        "LEFT JOIN registry_membership m ON m.household_id = h.id AND m.ended_on IS NULL "
        "LEFT JOIN registry_person p ON p.id = m.person_id "
        "ORDER BY h.created_at DESC, h.id DESC, m.id",
        [target.actor.agency_id, PAGE],
    )


def board(target: Target) -> int:
    """The cases sent to coordination in the 年度, by triage then newest, with the total."""
    since, until = _fy_range(target.fiscal_year)
    return fetch(
        "SELECT c.id, c.public_id, c.number, c.triage, c.sent_to_coordination_at, la.name, "
        "hp.name, COUNT(*) OVER () FROM cases_case c "
        "JOIN accounts_agency la ON la.id = c.lead_agency_id "
        f"{_HEAD}"
        "WHERE c.sent_to_coordination_at >= %s AND c.sent_to_coordination_at < %s "
        "ORDER BY c.triage, c.sent_to_coordination_at DESC, c.id DESC LIMIT %s",
        [target.actor.pk, since, until, PAGE],
    )


def outreach(target: Target) -> int:
    """The open targets, longest silence first, with their last contact and attempts."""
    agency = "" if target.sees_all_targets else "AND t.agency_id = %s "
    params: list[Any] = [] if target.sees_all_targets else [target.actor.agency_id]
    return fetch(
        "SELECT t.id, t.public_id, t.label, t.stage, t.opened_at, ar.name, "
        "MAX(a.attempted_on) AS last_contact, COUNT(a.id) "
        "FROM outreach_outreachtarget t "
        "LEFT JOIN outreach_contactattempt a ON a.target_id = t.id "
        "LEFT JOIN registry_area ar ON ar.id = t.area_id "
        f"WHERE t.closed_at IS NULL {agency}"
        "GROUP BY t.id, t.public_id, t.label, t.stage, t.opened_at, ar.name "
        "ORDER BY MAX(a.attempted_on) IS NOT NULL, MAX(a.attempted_on), t.opened_at, t.id "
        "LIMIT %s",
        [*params, PAGE],
    )


def matching(target: Target) -> int:
    """The person (if readable), the latest assessment's interests and strengths, and the
    agency's current matches for the person. (The ranking itself runs in Python over the
    cached catalogue: it has no SQL to floor.)"""
    assert target.person_id is not None
    return fetch(
        "SELECT p.id, p.name, p.birth_date, s.interests, s.strengths, mt.id, mt.stage "
        f"FROM registry_person p JOIN {GRANT_TABLE} g ON g.staff_id = %s "
        "AND g.person_id = p.id "
        "LEFT JOIN plans_assessment s ON s.id = (SELECT s2.id FROM plans_assessment s2 "
        "WHERE s2.person_id = p.id ORDER BY s2.assessed_on DESC, s2.id DESC LIMIT 1) "
        "LEFT JOIN participation_match mt ON mt.person_id = p.id AND mt.agency_id = %s "
        "AND mt.stage <> 'ended' WHERE p.id = %s",
        [target.actor.pk, target.actor.agency_id, target.person_id],
    )


def _month(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"to_char({column} AT TIME ZONE '{settings.TIME_ZONE}', 'YYYY-MM')"
    return f"substr({column}, 1, 7)"


def dashboard(target: Target) -> int:
    """What the dashboard counts, counted once: this 年度's and last 年度's consultations
    by month, and this 年度's cases and referrals by status."""
    since, until = _fy_range(target.fiscal_year)
    before, _ = _fy_range(target.fiscal_year - 1)
    return fetch(
        f"SELECT 'consultations', {_month('received_at')}, COUNT(*) FROM intake_consultation "
        "WHERE received_at >= %s AND received_at < %s GROUP BY 2 "
        "UNION ALL SELECT 'cases', status, COUNT(*) FROM cases_case "
        "WHERE opened_at >= %s AND opened_at < %s GROUP BY 2 "
        "UNION ALL SELECT 'referrals', status, COUNT(*) FROM cases_referral "
        "WHERE requested_at >= %s AND requested_at < %s GROUP BY 2",
        [before, until, since, until, since, until],
    )


def annual_report(target: Target) -> int:
    """The 年度's records grouped as the report's tables group them: consultations by month
    and by channel, cases by status and triage, referrals by receiving agency and status,
    notes by month."""
    since, until = _fy_range(target.fiscal_year)
    return fetch(
        f"SELECT 'consultations', {_month('received_at')}, channel, COUNT(*) "
        "FROM intake_consultation WHERE received_at >= %s AND received_at < %s GROUP BY 2, 3 "
        "UNION ALL SELECT 'cases', status, triage, COUNT(*) FROM cases_case "
        "WHERE opened_at < %s AND (closed_at IS NULL OR closed_at >= %s) GROUP BY 2, 3 "
        "UNION ALL SELECT 'referrals', CAST(to_agency_id AS varchar(20)), status, COUNT(*) "
        "FROM cases_referral WHERE requested_at >= %s AND requested_at < %s GROUP BY 2, 3 "
        f"UNION ALL SELECT 'notes', {_month('created_at')}, kind, COUNT(*) FROM cases_casenote "
        "WHERE created_at >= %s AND created_at < %s GROUP BY 2, 3",
        [since, until, until, since, since, until, since, until],
    )


def household_export(target: Target) -> int:
    """Every household the agency registered, newest first, one row per current member."""
    return fetch(
        "SELECT h.id, h.address, h.phone, h.created_at, a.name, p.name, p.kana, m.relationship "
        "FROM registry_household h "
        "LEFT JOIN registry_area a ON a.id = h.area_id "
        "LEFT JOIN registry_membership m ON m.household_id = h.id AND m.ended_on IS NULL "
        "LEFT JOIN registry_person p ON p.id = m.person_id "
        "WHERE h.registered_by_agency_id = %s "
        "ORDER BY h.created_at DESC, h.id DESC, m.id",
        [target.actor.agency_id],
    )


Floor = Callable[["Target"], int]
