"""公表の締め日 (``kasane.core.publication``): analysts' figures stop at 00:00 Japan time of
the first day of the month, so that two snapshots a day apart are the same."""

from __future__ import annotations

import datetime
import zoneinfo

from kasane.core import publication

JST = zoneinfo.ZoneInfo("Asia/Tokyo")
UTC = datetime.UTC


def test_the_cutoff_is_the_first_of_the_month_in_japan() -> None:
    # 1 December 00:30 in Japan is still 30 November in UTC: the cut-off is Japan's.
    now = datetime.datetime(2026, 11, 30, 15, 30, tzinfo=UTC)
    assert publication.cutoff(now) == datetime.datetime(2026, 12, 1, tzinfo=JST)
    late = datetime.datetime(2026, 12, 31, 23, 59, tzinfo=JST)
    assert publication.cutoff(late) == datetime.datetime(2026, 12, 1, tzinfo=JST)


def test_a_span_is_cut_at_the_cutoff_in_force_only() -> None:
    start = datetime.datetime(2026, 4, 1, tzinfo=JST)
    end = datetime.datetime(2027, 4, 1, tzinfo=JST)
    cut = datetime.datetime(2026, 12, 1, tzinfo=JST)
    assert publication.clamp(start, end) == (start, end)
    with publication.published_until(cut):
        assert publication.until() == cut
        assert publication.clamp(start, end) == (start, cut)
        # A period wholly after the cut-off is empty, not reversed.
        later = datetime.datetime(2027, 1, 1, tzinfo=JST)
        assert publication.clamp(later, end) == (later, later)
        # A period wholly before it is whole.
        assert publication.clamp(start, cut) == (start, cut)
    assert publication.until() is None
