"""``kasane bench_matching`` runs, prints its figures and leaves the database as it was.
(The figure itself is checked by running the command, not by a timed unit test.)"""

from io import StringIO

import pytest
from django.core.management import call_command

from kasane.participation.models import Opportunity


@pytest.mark.django_db
def test_bench_matching_prints_figures_and_rolls_back():
    out = StringIO()
    call_command("bench_matching", opportunities=200, repeat=5, stdout=out)
    text = out.getvalue()
    assert "200 opportunities" in text
    assert "warm (catalogue unchanged): median" in text
    assert "cold (candidates rebuilt):" in text
    assert Opportunity.objects.count() == 0
