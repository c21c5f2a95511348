"""The public catalogue holds no personal data: no demo person's name appears anywhere in the
pages the city publishes."""

from __future__ import annotations

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse

from kasane.accounts.models import Staff
from kasane.demo.city import build_demo_city
from kasane.demo.participation import build_demo_participation
from kasane.participation.models import Opportunity, OpportunityKind
from kasane.registry.models import Person

pytestmark = pytest.mark.django_db


def test_no_demo_person_and_no_staff_member_appears_on_the_public_pages() -> None:
    build_demo_city(households=40)
    build_demo_participation(seed=1, today=datetime.date(2026, 11, 1))
    client = Client()
    pages = []
    listing = client.get(reverse("catalogue:list"))
    assert listing.status_code == 200
    count = listing.context["page"].paginator.num_pages
    for n in range(1, count + 1):
        pages.append(client.get(reverse("catalogue:list"), {"page": n}).content.decode())
    for kind in OpportunityKind.values:
        pages.append(client.get(reverse("catalogue:list"), {"kind": kind}).content.decode())
    for place in Opportunity.objects.all():
        response = client.get(reverse("catalogue:detail", args=[place.public_id]))
        if response.status_code == 200:
            pages.append(response.content.decode())
    text = "\n".join(pages)
    assert len(pages) > 60
    names: set[str] = set()
    for person in Person.objects.all():
        for name in (person.name, person.kana):
            if name:
                names.update({name, re.sub(r"\s+", "", name)})
    names.update(s.display_name for s in Staff.objects.exclude(display_name=""))
    names.update(s.username for s in Staff.objects.all() if len(s.username) > 4)
    assert len(names) > 80
    found = sorted(n for n in names if n in text)
    assert found == []
