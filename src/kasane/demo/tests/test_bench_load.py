"""``kasane bench_load`` briefly, against the test database loaded with a small demo city:
gunicorn under production settings, staff signed in through the login form, mixed reads and
writes; no error, and every request that read personal data has its audit event."""

from __future__ import annotations

import io
import re

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.core.management import call_command
from django.db.models import Q

from kasane.accounts.models import Staff
from kasane.audit.models import AuditAction, AuditEvent
from kasane.cases.models import CaseNote
from kasane.demo.city import DEMO_PASSWORD
from kasane.demo.loadtest import ACCOUNTS, AuditCheck, Results, report

pytestmark = pytest.mark.django_db(transaction=True)


def test_bench_load_runs_without_errors_and_every_read_is_audited(need_types_kept: None):
    call_command("seed_demo", households=20, stdout=io.StringIO())
    # The test settings hash with MD5; the server runs the production settings' hashers.
    for staff in Staff.objects.filter(username__in=ACCOUNTS):
        staff.password = PBKDF2PasswordHasher().encode(DEMO_PASSWORD, "benchsalt" + "x" * 8)
        staff.save(update_fields=["password"])
    notes_before = CaseNote.objects.count()
    out = io.StringIO()
    call_command(
        "bench_load",
        "--database=current",
        "--sessions=5",
        "--duration=5",
        "--workers=2",
        stdout=out,
    )
    text = out.getvalue()
    print(text)  # noqa: T201 - the figures, for the CI log
    assert "bench_load passed" in text
    assert "errors: 0" in text
    found = re.search(r"audit: (\d+) requests read personal data, (\d+) audited reads", text)
    assert found is not None
    reads, audited = int(found[1]), int(found[2])
    assert reads > 20 and audited == reads

    # The same, counted here through the ORM: one request id per audited read.
    events = AuditEvent.objects.filter(request_id__startswith="bench-")
    read_ids = set(
        events.filter(Q(action=AuditAction.VIEW) | Q(action=AuditAction.SEARCH)).values_list(
            "request_id", flat=True
        )
    )
    assert len(read_ids) == reads
    written = CaseNote.objects.count() - notes_before
    notes = re.search(r"(\d+) notes written, (\d+) audited", text)
    assert notes is not None and int(notes[1]) == int(notes[2]) == written > 0
    assert events.filter(action=AuditAction.CREATE, object_type="case_note").count() == written


def test_a_read_without_its_audit_event_fails_the_run():
    results = Results(latencies=[0.01, 0.02, 0.03], reads={"r1", "r2"}, others={"w"})
    results.elapsed = 1.0
    whole = AuditCheck(read_events={"r1", "r2"}, note_events=set(), chain="intact")
    assert report(results, whole, "sqlite")[1] is True
    missing = AuditCheck(read_events={"r1"}, note_events=set(), chain="intact")
    lines, ok = report(results, missing, "sqlite")
    assert not ok and any("1 missing" in line for line in lines)
    extra = AuditCheck(read_events={"r1", "r2", "w"}, note_events=set(), chain="intact")
    assert report(results, extra, "sqlite")[1] is False
    results.errors.append("case_detail GET /cases/x/: 500")
    assert report(results, whole, "sqlite")[1] is False
