"""Models of the outreach app (issue #5): 見守り協定, 見守り通報, アウトリーチ対象 and 接触記録.

A concern report (見守り通報) comes from a 民生委員 or a business with a watch agreement
(見守り協定). Its reporter sees only its status, never what the outreach team found; the
team opens an outreach target (アウトリーチ対象) from it, which may be known only vaguely at
first ("the son at this address, 40s") and is linked to a registered person when known.
Every contact attempt (接触記録) is kept, and so is every move of the stage.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kasane.core.models import TimeStampedModel
from kasane.registry.validators import validate_not_future


class WatchBusinessKind(models.TextChoices):
    NEWSPAPER = "newspaper", _("newspaper delivery")
    GAS = "gas", _("gas supplier")
    WATER = "water", _("waterworks")
    DELIVERY = "delivery", _("parcel delivery")
    POST = "post", _("post office")
    OTHER = "other", _("other business")


class WatchAgreement(TimeStampedModel):
    """見守り協定: a local business agrees to tell the outreach team what its staff notice."""

    agency = models.OneToOneField(
        "accounts.Agency",
        verbose_name=_("business"),
        on_delete=models.PROTECT,
        related_name="watch_agreement",
    )
    kind = models.CharField(_("kind of business"), max_length=20, choices=WatchBusinessKind.choices)
    agreed_on = models.DateField(_("agreement date"), validators=[validate_not_future])
    ended_on = models.DateField(_("agreement ended on"), null=True, blank=True)

    class Meta:
        ordering = ["agreed_on", "id"]
        verbose_name = _("watch agreement")
        verbose_name_plural = _("watch agreements")
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("agreed_on")),
                name="watch_agreement_ends_after_it_starts",
            )
        ]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.kind}"


class ConcernSign(models.TextChoices):
    """What the reporter noticed, in the words the watch agreements use."""

    NEWSPAPERS = "newspapers", _("newspapers or mail piling up")
    NO_LIGHT = "no_light", _("no light, or lights on day and night")
    NOT_SEEN = "not_seen", _("not seen for a long time")
    METER = "meter", _("unusual gas, water or power use")
    SMELL = "smell", _("smell, rubbish or a neglected house")
    CHILD_NOT_AT_SCHOOL = "child_not_at_school", _("a child not at school")
    VOICES = "voices", _("shouting or crying")
    HEALTH = "health", _("looks unwell or confused")
    OTHER = "other", _("other")


class Urgency(models.TextChoices):
    NORMAL = "normal", _("normal")
    SOON = "soon", _("soon")
    URGENT = "urgent", _("urgent (possible danger to life or safety)")


class ReportStatus(models.TextChoices):
    """What the reporter sees: 受付済 / 対応中 / 対応済."""

    RECEIVED = "received", pgettext_lazy("concern report status", "received")
    IN_PROGRESS = "in_progress", pgettext_lazy("concern report status", "being handled")
    DONE = "done", pgettext_lazy("concern report status", "handled")


class ConcernReport(TimeStampedModel):
    """見守り通報: what a volunteer or a watch business noticed, in a few fields.

    Only a place is required (an area, or an address): that is all some reporters know.
    The reporter reads back the status alone; what the team found lives on the target.
    """

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reporter"),
        on_delete=models.PROTECT,
        related_name="concern_reports",
    )
    reporter_agency = models.ForeignKey(
        "accounts.Agency",
        verbose_name=_("reporting organisation"),
        on_delete=models.PROTECT,
        related_name="concern_reports",
    )
    area = models.ForeignKey(
        "registry.Area", verbose_name=_("area"), on_delete=models.PROTECT, null=True, blank=True
    )
    address = models.CharField(_("address or landmark"), max_length=200, blank=True)
    who = models.CharField(_("who (as far as known)"), max_length=200, blank=True)
    signs = models.JSONField(_("what was noticed"), default=list, blank=True)
    details = models.TextField(_("details"), max_length=2000, blank=True)
    noticed_on = models.DateField(
        _("noticed on"), null=True, blank=True, validators=[validate_not_future]
    )
    urgency = models.CharField(
        _("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL
    )
    received_at = models.DateTimeField(_("received at"))
    status = models.CharField(
        _("status"), max_length=20, choices=ReportStatus.choices, default=ReportStatus.RECEIVED
    )
    status_changed_at = models.DateTimeField(_("status changed at"))
    target = models.ForeignKey(
        "OutreachTarget",
        verbose_name=_("outreach target"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports",
    )

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("concern report")
        verbose_name_plural = _("concern reports")
        indexes = [
            models.Index(fields=["reporter", "received_at"], name="report_reporter_at"),
            models.Index(fields=["status", "received_at"], name="report_status_at"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(area__isnull=False) | ~Q(address=""),
                name="concern_report_has_a_place",
            )
        ]

    def __str__(self) -> str:
        return f"concern report {self.public_id}"

    def sign_labels(self) -> list[str]:
        labels = dict(ConcernSign.choices)
        return [str(labels[s]) for s in self.signs if s in labels]


class Stage(models.TextChoices):
    """The stages of building a relationship with someone who does not ask for help."""

    GRASPED = "grasped", _("identified")
    CONTACTED = "contacted", _("first contact")
    RELATIONSHIP = "relationship", _("building a relationship")
    CONSULTING = "consulting", _("connected to consultation")
    SUPPORTED = "supported", _("in support")


STAGE_ORDER = list(Stage)


class CloseReason(models.TextChoices):
    CONNECTED = "connected", _("connected to support")
    MOVED = "moved", _("moved away")
    ENDED = "ended", _("ended (no longer needed, deceased, refused for good)")


class OutreachTarget(TimeStampedModel):
    """アウトリーチ対象: someone the team tries to reach, known at first perhaps only vaguely.

    ``person`` is set once the target is identified in the registry; ``case`` once the
    target is (or was found to be) the subject of a case.
    """

    agency = models.ForeignKey(
        "accounts.Agency",
        verbose_name=_("outreach agency"),
        on_delete=models.PROTECT,
        related_name="outreach_targets",
    )
    label = models.CharField(_("how the target is known"), max_length=100)
    description = models.TextField(_("what is known"), max_length=2000, blank=True)
    area = models.ForeignKey(
        "registry.Area", verbose_name=_("area"), on_delete=models.PROTECT, null=True, blank=True
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    name = models.CharField(_("name, if known"), max_length=100, blank=True)
    kana = models.CharField(_("name in kana, if known"), max_length=100, blank=True)
    age_band = models.CharField(_("age (approximate)"), max_length=20, blank=True)
    person = models.ForeignKey(
        "registry.Person",
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="outreach_targets",
    )
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("case"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="outreach_targets",
    )
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("outreach worker in charge"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="outreach_targets",
    )
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices)
    opened_at = models.DateTimeField(_("opened at"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    close_reason = models.CharField(
        _("reason for closing"), max_length=20, choices=CloseReason.choices, blank=True
    )
    # The last silence the worker was told of, so that the scheduled job tells them once.
    quiet_alerted_at = models.DateTimeField(_("silence alert sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("outreach target")
        verbose_name_plural = _("outreach targets")
        indexes = [models.Index(fields=["agency", "closed_at"], name="outreach_target_open")]
        constraints = [
            models.CheckConstraint(
                condition=(Q(closed_at__isnull=True) & Q(close_reason=""))
                | (Q(closed_at__isnull=False) & ~Q(close_reason="")),
                name="outreach_target_closed_with_reason",
            )
        ]

    def __str__(self) -> str:
        return f"outreach target {self.public_id}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class ChangeKind(models.TextChoices):
    OPENED = "opened", _("opened")
    REOPENED = "reopened", _("reopened")
    STAGE = "stage", _("stage moved")
    CLOSED = "closed", _("closed")


class StageChange(models.Model):
    """One line of a target's history: opened, each stage move, closed, reopened.

    The month's inflow (new, returned) and outflow (connected, moved, ended) are counted
    from these lines.
    """

    target = models.ForeignKey(
        OutreachTarget,
        verbose_name=_("outreach target"),
        on_delete=models.CASCADE,
        related_name="changes",
    )
    at = models.DateTimeField(_("time"))
    kind = models.CharField(_("kind"), max_length=10, choices=ChangeKind.choices)
    from_stage = models.CharField(
        pgettext_lazy("stage", "from"), max_length=20, choices=Stage.choices, blank=True
    )
    to_stage = models.CharField(
        pgettext_lazy("stage", "to"), max_length=20, choices=Stage.choices, blank=True
    )
    close_reason = models.CharField(
        _("reason for closing"), max_length=20, choices=CloseReason.choices, blank=True
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=pgettext_lazy("changed by", "by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")
        indexes = [models.Index(fields=["kind", "at"], name="outreach_change_kind_at")]

    def __str__(self) -> str:
        return f"{self.target_id} {self.kind} {self.to_stage}"


class ContactMethod(models.TextChoices):
    VISIT = "visit", _("home visit")
    LETTER = "letter", _("letter")
    CALL = "call", _("phone call")
    VIA_FAMILY = "via_family", _("through the family")
    VIA_VOLUNTEER = "via_volunteer", _("through the commissioned welfare volunteer")


class ContactResult(models.TextChoices):
    MET = "met", _("met the person")
    ABSENT = "absent", _("nobody answered")
    REFUSED = "refused", _("refused")
    FAMILY = "family", _("spoke with the family")
    LETTER_LEFT = "letter_left", _("letter left")


class ContactAttempt(TimeStampedModel):
    """接触記録: one visit, letter or call, who went, and what came of it."""

    target = models.ForeignKey(
        OutreachTarget,
        verbose_name=_("outreach target"),
        on_delete=models.CASCADE,
        related_name="attempts",
    )
    attempted_on = models.DateField(_("date"), validators=[validate_not_future])
    method = models.CharField(_("method"), max_length=20, choices=ContactMethod.choices)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who went"),
        on_delete=models.PROTECT,
        related_name="contact_attempts",
    )
    companions = models.CharField(_("with"), max_length=200, blank=True)
    result = models.CharField(_("result"), max_length=20, choices=ContactResult.choices)
    note = models.TextField(_("note"), max_length=2000, blank=True)

    class Meta:
        ordering = ["-attempted_on", "-id"]
        verbose_name = _("contact attempt")
        verbose_name_plural = _("contact attempts")
        indexes = [models.Index(fields=["target", "attempted_on"], name="attempt_target_on")]

    def __str__(self) -> str:
        return f"{self.target_id} {self.attempted_on} {self.result}"
