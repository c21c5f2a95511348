"""The alert thresholds are read strictly from the environment, like every KASANE_ setting:
a typo stops the start-up naming the variable, never falls back to a default silently."""

from __future__ import annotations

from pathlib import Path

import pytest

from kasane.core.tests.test_env import import_settings

SHOW = (
    "import kasane.settings as s; "
    "print(s.KASANE_ALERT_REFUSED_PER_HOUR, s.KASANE_ALERT_AGGREGATE_VIEWS_PER_HOUR)"
)


def test_the_defaults(tmp_path: Path) -> None:
    done = import_settings(tmp_path, SHOW)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["30", "200"]


def test_set_from_the_environment(tmp_path: Path) -> None:
    done = import_settings(
        tmp_path,
        SHOW,
        KASANE_ALERT_REFUSED_PER_HOUR="10",
        KASANE_ALERT_AGGREGATE_VIEWS_PER_HOUR=" 500 ",
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["10", "500"]


@pytest.mark.parametrize(
    ("variable", "value", "says"),
    [
        ("KASANE_ALERT_REFUSED_PER_HOUR", "thirty", "must be an integer"),
        ("KASANE_ALERT_REFUSED_PER_HOUR", "0", "must be at least 1"),
        ("KASANE_ALERT_REFUSED_PER_HOUR", "３０", "must be an integer"),
        ("KASANE_ALERT_AGGREGATE_VIEWS_PER_HOUR", "-5", "must be at least 1"),
        ("KASANE_ALERT_AGGREGATE_VIEWS_PER_HOUR", "2_000", "must be an integer"),
        ("KASANE_ALERT_AGGREGATE_VIEWS_PER_HOUR", "1e3", "must be an integer"),
    ],
)
def test_a_bad_value_stops_the_start_up(tmp_path: Path, variable: str, value: str, says: str):
    done = import_settings(tmp_path, SHOW, **{variable: value})
    assert done.returncode != 0
    assert "ImproperlyConfigured" in done.stderr
    assert variable in done.stderr and says in done.stderr
