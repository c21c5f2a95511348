"""The perturbation table and the record keys of the cell-key method (``core.cellkey``)."""

from __future__ import annotations

import statistics

import pytest
from django.db.models import Count
from django.test import override_settings

from kasane.core import cellkey
from kasane.core.cellkey import BOUND, THRESHOLD, N, perturb, preimage, record_key

COUNTS = range(300)


def test_zero_stays_zero() -> None:
    assert {perturb(0, k) for k in range(N)} == {0}


def test_no_count_is_published_between_one_and_four() -> None:
    published = {perturb(c, k) for c in COUNTS for k in range(N)}
    assert not published & set(range(1, THRESHOLD))


def test_perturbation_is_bounded() -> None:
    for c in COUNTS:
        for k in range(N):
            change = abs(perturb(c, k) - c)
            assert change <= (BOUND if c >= THRESHOLD else THRESHOLD - 1), (c, k)


def test_every_row_is_unbiased() -> None:
    # Over the cell keys (uniform, as the sum of random record keys is), the published
    # value is the true count on average: the mean perturbation is exactly 0.
    for c in COUNTS:
        assert statistics.fmean(perturb(c, k) for k in range(N)) == pytest.approx(c), c


def test_counts_of_seven_or_more_are_perturbed_often() -> None:
    for c in (7, 8, 50, 299):
        unchanged = sum(perturb(c, k) == c for k in range(N)) / N
        assert unchanged == pytest.approx(0.4)


def test_no_published_value_names_one_true_count() -> None:
    # What an attacker who knows the table can tell from one published value: always two
    # or more true counts, and a small one never alone.
    for published in {perturb(c, k) for c in COUNTS for k in range(N)}:
        candidates = preimage(published)
        assert len(candidates) >= 2, published
        small = [c for c in candidates if 1 <= c < THRESHOLD]
        assert len(small) != 1, published
    assert preimage(0) == [0, 1, 2, 3, 4]
    assert preimage(5) == [1, 2, 3, 4, 5, 6, 7]


def test_record_keys_are_spread_over_the_cell_keys() -> None:
    keys = [record_key("intake.consultation", pk) % N for pk in range(1, 24001)]
    per_key = [keys.count(k) for k in range(N)]
    assert min(per_key) > 60 and max(per_key) < 140  # ≈100 each


def test_record_keys_depend_on_the_model_and_the_secret() -> None:
    one = [record_key("intake.consultation", pk) for pk in range(1, 50)]
    other_model = [record_key("cases.case", pk) for pk in range(1, 50)]
    with override_settings(SECRET_KEY="another-secret-key-of-at-least-32-characters!"):
        other_secret = [record_key("intake.consultation", pk) for pk in range(1, 50)]
    assert one != other_model and one != other_secret
    assert one == [record_key("intake.consultation", pk) for pk in range(1, 50)]


def test_a_cell_key_secret_of_its_own_survives_a_rotation_of_the_secret_key() -> None:
    """KASANE_CELL_KEY_SECRET: rotating SECRET_KEY must not re-draw every published figure
    (an analyst could average the old and the new values)."""
    own = "a-cell-key-secret-of-at-least-32-characters"
    with override_settings(CELL_KEY_SECRET=own):
        before = [record_key("intake.consultation", pk) for pk in range(1, 50)]
        with override_settings(SECRET_KEY="another-secret-key-of-at-least-32-characters!"):
            after = [record_key("intake.consultation", pk) for pk in range(1, 50)]
    assert before == after


def test_a_short_cell_key_secret_stops_start_up(monkeypatch: pytest.MonkeyPatch) -> None:
    from django.core.exceptions import ImproperlyConfigured

    from kasane import settings as kasane_settings

    monkeypatch.setenv("KASANE_CELL_KEY_SECRET", "short")
    with pytest.raises(ImproperlyConfigured, match="KASANE_CELL_KEY_SECRET"):
        kasane_settings._cell_key_secret()


@pytest.mark.django_db
def test_the_database_computes_the_same_keys_as_python() -> None:
    from kasane.accounts.models import Agency, AgencyType

    for i in range(30):
        Agency.objects.create(name=f"機関{i}", agency_type=AgencyType.OTHER)
    label = Agency._meta.label_lower
    pks = list(Agency.objects.values_list("pk", flat=True))
    summed = Agency.objects.aggregate(n=Count("pk"), k=cellkey.key_sum(label))
    assert summed["n"] == len(pks)
    assert summed["k"] == sum(record_key(label, pk) for pk in pks)
    each = dict(
        Agency.objects.annotate(k=cellkey.key_expression("pk", label)).values_list("pk", "k")
    )
    assert each == {pk: record_key(label, pk) for pk in pks}
    packed = Agency.objects.filter(pk__in=pks[:20]).aggregate(c=cellkey.counted(label))
    count, key = cellkey.unpack(packed["c"])
    assert count == 20 and key % N == sum(record_key(label, pk) for pk in pks[:20]) % N
    assert cellkey.unpack(Agency.objects.none().aggregate(c=cellkey.counted(label))["c"]) == (0, 0)
    big = 2**31 - 5  # the largest keys stay integers
    assert 0 <= record_key(label, big) < 2**31
