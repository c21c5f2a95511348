"""相談受付: every consultation any agency takes, whatever its domain (断らない相談)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kasane.core.models import TimeStampedModel


class NeedType(TimeStampedModel):
    """課題: the controlled taxonomy of needs. Data, not code: administrators extend it."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60, unique=True)
    sort_order = models.PositiveIntegerField(_("order"), default=100)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("need type")
        verbose_name_plural = _("need types")

    def __str__(self) -> str:
        return self.name


class Requester(models.TextChoices):
    """相談者: who brought the consultation."""

    SELF = "self", _("the person")
    FAMILY = "family", _("family")
    AGENCY = "agency", _("an agency")
    VOLUNTEER = "volunteer", _("welfare volunteer (minsei-iin)")
    NEIGHBOUR = "neighbour", _("neighbour")
    OTHER = "other", _("other")


class Channel(models.TextChoices):
    WALK_IN = "walk_in", _("came to the office")
    PHONE = "phone", _("phone")
    HOME_VISIT = "home_visit", _("home visit")
    EMAIL = "email", _("email")
    OUTREACH = "outreach", _("outreach")


class Outcome(models.TextChoices):
    HANDLED = "handled", _("handled here")
    REFERRED = "referred", _("referred to another agency")
    COORDINATION = "coordination", _("sent to multi-agency coordination")
    NO_ACTION = "no_action", _("no further action")


class Consultation(TimeStampedModel):
    """相談受付・申込票: one consultation, recorded once by the agency that took it."""

    received_at = models.DateTimeField(_("received at"))
    agency = models.ForeignKey(
        "accounts.Agency",
        verbose_name=_("receiving agency"),
        on_delete=models.PROTECT,
        related_name="consultations",
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("received by"),
        on_delete=models.PROTECT,
        related_name="consultations",
    )
    requester = models.CharField(_("requester"), max_length=20, choices=Requester.choices)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    household = models.ForeignKey(
        "registry.Household",
        verbose_name=_("household"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="consultations",
    )
    persons = models.ManyToManyField(
        "registry.Person", verbose_name=_("persons concerned"), related_name="consultations"
    )
    domains = models.JSONField(_("domains"), default=list, blank=True)
    summary = models.TextField(_("summary"), max_length=4000)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    consent_to_share = models.BooleanField(_("consented to sharing"), default=False)
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("case"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="consultations",
    )
    # Counts the saves of this row, for optimistic locking (kasane.core.row_version).
    row_version = models.PositiveIntegerField(_("row version"), default=0, editable=False)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        indexes = [models.Index(fields=["agency", "received_at"], name="consultation_agency_at")]

    def __str__(self) -> str:
        return f"{self.received_at:%Y-%m-%d} {self.get_outcome_display()}"


class ConsultationNeed(models.Model):
    """A need raised in a consultation; exactly one of them is the 主訴."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="needs")
    need_type = models.ForeignKey(
        NeedType, verbose_name=_("need"), on_delete=models.PROTECT, related_name="+"
    )
    is_main = models.BooleanField(_("main complaint"), default=False)

    class Meta:
        ordering = ["-is_main", "need_type__sort_order"]
        verbose_name = _("need")
        verbose_name_plural = _("needs")
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "need_type"], name="consultation_need_once"
            ),
            models.UniqueConstraint(
                fields=["consultation"],
                condition=Q(is_main=True),
                name="consultation_one_main_need",
            ),
        ]

    def __str__(self) -> str:
        return str(self.need_type)
