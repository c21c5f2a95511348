"""Consents recorded before histories were kept get their events: given on the day obtained,
withdrawn when withdrawn (by the agency that recorded them, the only one known)."""

import datetime

from django.db import migrations
from django.utils import timezone


def forwards(apps, schema_editor):
    Consent = apps.get_model("privacy", "Consent")
    ConsentEvent = apps.get_model("privacy", "ConsentEvent")
    events = []
    for consent in Consent.objects.filter(events__isnull=True).iterator():
        given = timezone.make_aware(
            datetime.datetime.combine(consent.obtained_on, datetime.time(9, 0))
        )
        common = {
            "consent_id": consent.pk,
            "actor_id": consent.recorded_by_id,
            "actor_agency_id": consent.recorded_by_agency_id,
        }
        events.append(ConsentEvent(kind="given", at=min(given, consent.created_at), **common))
        if consent.withdrawn_at is not None:
            events.append(
                ConsentEvent(
                    kind="withdrawn",
                    at=consent.withdrawn_at,
                    note=consent.withdrawal_note,
                    **common,
                )
            )
    ConsentEvent.objects.bulk_create(events, batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [("privacy", "0007_consent_event")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
