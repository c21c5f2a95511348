from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from kasane.accounts.models import Staff
from kasane.evaluation.computations import REGISTRY
from kasane.evaluation.dashboard import services
from kasane.evaluation.models import (
    Indicator,
    IndicatorKind,
    IndicatorLevel,
    IndicatorSource,
    ManualValue,
    Project,
    Target,
)


@pytest.fixture
def survey(db: Any) -> Indicator:
    return Indicator.objects.create(
        code="survey_belonging",
        name="地域に居場所があると感じる住民の割合",
        kind=IndicatorKind.KGI,
        level=IndicatorLevel.OUTCOME,
        unit="%",
        project=Project.COMMUNITY,
        source=IndicatorSource.MANUAL,
    )


def test_seed_indicators_creates_one_per_computation_and_is_idempotent(db: Any) -> None:
    # ``migrate`` seeds them (evaluation.apps); start from none to see them made.
    Indicator.objects.all().delete()
    assert services.seed_indicators() == len(REGISTRY)
    Indicator.objects.filter(code="closures").update(name="終結した事例数")
    assert services.seed_indicators() == 0
    assert Indicator.objects.count() == len(REGISTRY)
    assert Indicator.objects.get(code="closures").name == "終結した事例数"
    assert set(Indicator.objects.values_list("computation", flat=True)) == set(REGISTRY)


def test_target_set_creates_then_replaces(survey: Indicator) -> None:
    services.target_set(code=survey.code, fiscal_year=2025, value="60.5")
    services.target_set(code=survey.code, fiscal_year=2025, value=65)
    target = Target.objects.get()
    assert (target.indicator, target.fiscal_year, target.value) == (survey, 2025, Decimal(65))


def test_target_for_an_unknown_indicator_is_refused(db: Any) -> None:
    with pytest.raises(ValidationError) as raised:
        services.target_set(code="no_such_thing", fiscal_year=2025, value=1)
    assert raised.value.code == "unknown_indicator"
    assert "no_such_thing" in raised.value.messages[0]
    assert not Target.objects.exists()


@pytest.mark.parametrize("value", ["abc", "", "NaN", "Infinity"])
def test_target_must_be_a_number(survey: Indicator, value: str) -> None:
    with pytest.raises(ValidationError) as raised:
        services.target_set(code=survey.code, fiscal_year=2025, value=value)
    assert "value" in raised.value.message_dict


def test_manual_value_set(survey: Indicator, analyst: Staff) -> None:
    services.manual_value_set(
        actor=analyst, code=survey.code, fiscal_year=2024, value="41.2", note="住民意識調査"
    )
    entry = services.manual_value_set(
        actor=analyst, code=survey.code, fiscal_year=2024, value="42.0"
    )
    assert ManualValue.objects.get() == entry
    assert entry.value == Decimal("42.0")
    assert entry.entered_by == analyst


def test_manual_value_refused_for_computed_and_unknown_indicators(db: Any, analyst: Staff) -> None:
    services.seed_indicators()
    with pytest.raises(ValidationError) as raised:
        services.manual_value_set(actor=analyst, code="closures", fiscal_year=2024, value=3)
    assert raised.value.code == "computed_indicator"
    with pytest.raises(ValidationError) as raised:
        services.manual_value_set(actor=analyst, code="nope", fiscal_year=2024, value=3)
    assert raised.value.code == "unknown_indicator"
    assert not ManualValue.objects.exists()
