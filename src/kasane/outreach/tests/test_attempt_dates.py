"""A contact attempt's date lies within its target's life (issue 14, Why 8): not before the
target was opened, not after today in Japan."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from kasane.outreach import services
from kasane.outreach.models import ContactAttempt

pytestmark = [pytest.mark.clock, pytest.mark.django_db]


@pytest.mark.parametrize(
    ("days", "code"), [(None, "before_opened"), (-1, "before_opened"), (1, "future")]
)
def test_an_attempt_outside_the_targets_life_is_refused(
    outreach_worker: Any, target: Any, days: int | None, code: str
) -> None:
    today = timezone.localdate()
    when = datetime.date(1900, 1, 1) if days is None else today + datetime.timedelta(days=days)
    with pytest.raises(ValidationError) as refused:
        services.attempt_record(
            actor=outreach_worker, target=target, attempted_on=when, method="visit", result="absent"
        )
    assert code in [e.code for errors in refused.value.error_dict.values() for e in errors]
    assert not ContactAttempt.objects.exists()
    services.attempt_record(
        actor=outreach_worker, target=target, attempted_on=today, method="visit", result="absent"
    )
    assert ContactAttempt.objects.count() == 1
