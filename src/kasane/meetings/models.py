"""会議: 支援会議 (社会福祉法 §106-6), 重層的支援会議, ケース会議, 地域ケア会議, 定例会議.

The kind of meeting decides the legal basis of what is shared in it (DESIGN.md): a 支援会議
needs no consent but binds every attendee by a recorded confidentiality pledge; a 重層的支援会議
takes up only cases with 支援決定 and consent covering it; a policy meeting sees de-identified
summaries only.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kasane.core.models import TimeStampedModel


class MeetingKind(models.TextChoices):
    SUPPORT_MEETING = "support_meeting", _("support meeting (art. 106-6)")
    INTEGRATED_MEETING = "integrated_meeting", _("integrated support meeting")
    CASE_CONFERENCE = "case_conference", _("case conference")
    COMMUNITY_CARE_MEETING = "community_care_meeting", _("community care meeting")
    POLICY_MEETING = "policy_meeting", _("regular policy meeting")


# Meetings in which the persons of a case are discussed by name.
NAMED_CASE_KINDS = frozenset(
    {MeetingKind.SUPPORT_MEETING, MeetingKind.INTEGRATED_MEETING, MeetingKind.CASE_CONFERENCE}
)


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("planned")
    HELD = "held", _("held")
    CANCELLED = "cancelled", _("cancelled")


class Meeting(TimeStampedModel):
    kind = models.CharField(_("kind"), max_length=30, choices=MeetingKind.choices)
    title = models.CharField(_("title"), max_length=200, blank=True)
    held_at = models.DateTimeField(_("date and time"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    online = models.BooleanField(_("online"), default=False)
    organizer = models.ForeignKey(
        "accounts.Agency",
        verbose_name=_("held by"),
        on_delete=models.PROTECT,
        related_name="meetings_held",
    )
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("chair"),
        on_delete=models.PROTECT,
        related_name="meetings_chaired",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED
    )

    class Meta:
        ordering = ["-held_at", "-id"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        indexes = [models.Index(fields=["kind", "held_at"], name="meeting_kind_at")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.held_at:%Y-%m-%d}"


class Attendee(TimeStampedModel):
    """An agency (and its staff member) at a meeting; at a 支援会議, with the pledge."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendees")
    agency = models.ForeignKey(
        "accounts.Agency", verbose_name=_("agency"), on_delete=models.PROTECT, related_name="+"
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff member"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    attended = models.BooleanField(_("attended"), default=False)

    class Meta:
        ordering = ["id"]
        verbose_name = _("attendee")
        verbose_name_plural = _("attendees")
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "agency", "staff"], name="attendee_once_per_meeting"
            )
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id}: {self.agency_id}"


class ConfidentialityPledge(models.Model):
    """守秘義務の誓約: an attendee's pledge for one 支援会議 (§106-6 (5))."""

    attendee = models.OneToOneField(Attendee, on_delete=models.PROTECT, related_name="pledge")
    pledged_at = models.DateTimeField(_("pledged at"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("confidentiality pledge")
        verbose_name_plural = _("confidentiality pledges")

    def __str__(self) -> str:
        return f"{self.attendee_id} {self.pledged_at:%Y-%m-%d}"


class AgendaItem(TimeStampedModel):
    """A case taken up at a meeting, with its minutes; at a 支援会議 the chair names the
    attendees who take part for this case."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="agenda_items")
    members = models.ManyToManyField(
        Attendee, verbose_name=_("members for this case"), blank=True, related_name="items"
    )
    minutes = models.TextField(_("minutes"), blank=True, max_length=20000)
    # For policy meetings: what may be discussed without naming anyone.
    deidentified_summary = models.TextField(_("de-identified summary"), blank=True)

    class Meta:
        ordering = ["meeting", "id"]
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        constraints = [models.UniqueConstraint(fields=["meeting", "case"], name="agenda_case_once")]

    def __str__(self) -> str:
        return f"{self.meeting_id}: {self.case_id}"


class DecisionKind(models.TextChoices):
    SUPPORT_DECISION = "support_decision", _("support decision")
    PLAN_APPROVAL = "plan_approval", _("plan approval")
    ACTION = "action", _("action")
    REVIEW = "review", _("review")
    CLOSURE = "closure", _("closure")
    MISSING_RESOURCE = "missing_resource", _("missing resource")
    NOTE = "note", _("other decision")


class Decision(TimeStampedModel):
    """A decision that creates work: an action with owner and due date, a review date…"""

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="decisions")
    kind = models.CharField(_("kind"), max_length=30, choices=DecisionKind.choices)
    text = models.TextField(_("decision"), max_length=4000)
    owner = models.ForeignKey(
        "accounts.Agency",
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    due_on = models.DateField(_("due"), null=True, blank=True)
    next_review_on = models.DateField(_("next review"), null=True, blank=True)

    class Meta:
        ordering = ["item", "id"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="action") | Q(owner__isnull=False),
                name="decision_action_has_owner",
            )
        ]

    def __str__(self) -> str:
        return f"{self.item_id} {self.kind}"
