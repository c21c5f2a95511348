"""The catalogue of places to take part (参加支援カタログ), shaped after Open Referral HSDS 3.0.

A :class:`Resource` is an HSDS *organization*, an :class:`Opportunity` an HSDS *service* at
its one *location* (service_at_location), and each :class:`Schedule` an HSDS *schedule*
(RFC 5545 RRULE-style fields). Public ids double as HSDS ids, so that re-importing a file
updates the same records. Catalogue records hold no personal data: they are published.
"""

import calendar
import datetime
import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kasane.core.models import TimeStampedModel


class OpportunityKind(models.TextChoices):
    IBASHO = "ibasho", _("drop-in place")  # 居場所
    VOLUNTEER = "volunteer", _("volunteering")
    HOBBY = "hobby", _("hobby and circle")
    LEARNING = "learning", _("learning")
    WORK_EXPERIENCE = "work_experience", _("work experience")
    INTERMEDIATE_WORK = "intermediate_work", _("intermediate employment")  # 中間的就労
    CHILDRENS_CAFETERIA = "childrens_cafeteria", _("children's cafeteria")  # 子ども食堂
    SALON = "salon", _("community salon")
    KAYOI_NO_BA = "kayoi_no_ba", _("community exercise group")  # 通いの場
    MULTIGENERATIONAL = "multigenerational", _("multigenerational hub")
    PEER_SUPPORT = "peer_support", _("peer support group")


class OpportunityStatus(models.TextChoices):
    """HSDS service.status ("temporarily closed" has a space in HSDS; see hsds.py)."""

    ACTIVE = "active", _("active")
    TEMPORARILY_CLOSED = "temporarily_closed", _("temporarily closed")
    INACTIVE = "inactive", _("inactive")
    DEFUNCT = "defunct", _("defunct")


class AccessibilityFeature(models.TextChoices):
    WHEELCHAIR = "wheelchair", _("wheelchair accessible")
    ACCESSIBLE_TOILET = "accessible_toilet", _("accessible toilet")
    QUIET_ROOM = "quiet_room", _("quiet room")
    NO_SPEAKING = "no_speaking", _("no speaking needed")
    WRITTEN_CONVERSATION = "written_conversation", _("written conversation or sign language")
    SHORT_STAY = "short_stay", _("come and go as you like")
    ACCOMPANIED_VISIT = "accompanied_visit", _("first visit with a supporter welcome")
    ONLINE = "online", _("online participation possible")
    CHILDCARE = "childcare", _("childcare available")
    PARKING = "parking", _("parking")


class Language(models.TextChoices):
    """ISO 639 codes, as HSDS language.code."""

    JA = "ja", _("Japanese")
    JSL = "jsl", _("Japanese Sign Language")
    EN = "en", _("English")
    ZH = "zh", _("Chinese")
    KO = "ko", _("Korean")
    VI = "vi", _("Vietnamese")
    PT = "pt", _("Portuguese")
    TL = "tl", _("Tagalog")
    NE = "ne", _("Nepali")


class Welcome(models.TextChoices):
    """Whom a place welcomes in particular (beyond its age range)."""

    ANYONE = "anyone", _("anyone")
    FIRST_TIMERS = "first_timers", _("first-timers")
    ELDERLY = "elderly", _("older people")
    CHILDREN = "children", _("children")
    YOUNG_PEOPLE = "young_people", _("young people")
    PARENTS = "parents", _("parents with small children")
    DISABILITY = "disability", _("people with disabilities")
    WITHDRAWAL = "withdrawal", _("people who have stayed at home for a long time")
    JOB_SEEKERS = "job_seekers", _("people getting ready for work")
    CARERS = "carers", _("family carers")
    FOREIGN_RESIDENTS = "foreign_residents", _("foreign residents")


STALE_AFTER_MONTHS = 6


def stale_before(today: datetime.date | None = None) -> datetime.date:
    """Entries last checked before this date are stale: six months ago, the same day of the
    month (or the month's last day when it has no such day)."""
    today = today or timezone.localdate()
    month, year = today.month - STALE_AFTER_MONTHS, today.year
    if month < 1:
        month, year = month + 12, year - 1
    day = min(today.day, calendar.monthrange(year, month)[1])
    return datetime.date(year, month, day)


def _labels(codes: list[str], choices: type[models.TextChoices]) -> list[str]:
    return [str(choices(c).label) for c in codes if c in choices.values]


class Resource(TimeStampedModel):
    """社会資源: the organisation hosting places to take part (HSDS organization).

    ``public_id`` is the HSDS organization id.
    """

    name = models.CharField(pgettext_lazy("place", "name"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=2000)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    url = models.URLField(_("website"), blank=True)
    agency = models.ForeignKey(
        "accounts.Agency",
        verbose_name=_("registered agency"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="resources",
    )

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("hosting organisation")
        verbose_name_plural = _("hosting organisations")

    def __str__(self) -> str:
        return self.name


class Opportunity(TimeStampedModel):
    """参加の場: one place to take part (HSDS service at its location).

    ``public_id`` is the HSDS service id, ``location_public_id`` the HSDS location id.
    ``checked_on`` (HSDS assured_date) is when someone last confirmed the entry; entries not
    checked for six months are stale.
    """

    resource = models.ForeignKey(
        Resource,
        verbose_name=_("hosting organisation"),
        on_delete=models.PROTECT,
        related_name="opportunities",
    )
    name = models.CharField(pgettext_lazy("place", "name"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=2000)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=OpportunityStatus.choices,
        default=OpportunityStatus.ACTIVE,
    )
    url = models.URLField(_("web page"), blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    application_process = models.CharField(_("how to join"), max_length=500, blank=True)
    # Location (HSDS location + address).
    location_public_id = models.UUIDField(
        _("location id"), default=uuid.uuid4, unique=True, editable=False
    )
    location_name = models.CharField(_("venue"), max_length=200, blank=True)
    area = models.ForeignKey(
        "registry.Area",
        verbose_name=_("area"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="opportunities",
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=8, blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    # Cost (HSDS cost_option): amount in yen per visit, 0 = free, null = not stated.
    cost_amount = models.PositiveIntegerField(_("cost per visit (yen)"), null=True, blank=True)
    cost_description = models.CharField(_("cost details"), max_length=200, blank=True)
    # Lists of AccessibilityFeature / Language / Welcome codes.
    accessibility = models.JSONField(_("accessibility"), default=list, blank=True)
    accessibility_note = models.CharField(_("accessibility details"), max_length=500, blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    welcomes = models.JSONField(_("welcomes"), default=list, blank=True)
    # Capacity: null = not limited.
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    vacancies = models.PositiveIntegerField(_("places free"), null=True, blank=True)
    age_min = models.PositiveSmallIntegerField(_("minimum age"), null=True, blank=True)
    age_max = models.PositiveSmallIntegerField(_("maximum age"), null=True, blank=True)
    eligibility_description = models.CharField(_("who can take part"), max_length=500, blank=True)
    checked_on = models.DateField(_("last checked"))
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("checked by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("place to take part")
        verbose_name_plural = _("places to take part")
        indexes = [
            models.Index(fields=["status", "name"], name="opportunity_status_name"),
            models.Index(fields=["checked_on"], name="opportunity_checked_on"),
            models.Index(fields=["updated_at"], name="opportunity_updated_at"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(age_min__isnull=True)
                | Q(age_max__isnull=True)
                | Q(age_min__lte=F("age_max")),
                name="opportunity_age_range",
            ),
            models.CheckConstraint(
                condition=Q(capacity__isnull=True)
                | Q(vacancies__isnull=True)
                | Q(vacancies__lte=F("capacity")),
                name="opportunity_vacancies_within_capacity",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_stale(self) -> bool:
        return self.checked_on < stale_before()

    @property
    def is_full(self) -> bool:
        return self.vacancies is not None and self.vacancies <= 0

    def accessibility_labels(self) -> list[str]:
        return _labels(self.accessibility, AccessibilityFeature)

    def language_labels(self) -> list[str]:
        return _labels(self.languages, Language)

    def welcome_labels(self) -> list[str]:
        return _labels(self.welcomes, Welcome)

    def age_text(self) -> str:
        """ "18歳〜39歳", "65歳以上", "" when anyone."""
        if self.age_min is not None and self.age_max is not None:
            return f"{self.age_min}歳〜{self.age_max}歳"
        if self.age_min is not None:
            return f"{self.age_min}歳以上"
        if self.age_max is not None:
            return f"{self.age_max}歳まで"
        return ""


class OpportunityKindLink(models.Model):
    """One kind of an opportunity (an HSDS attribute linking a taxonomy term)."""

    opportunity = models.ForeignKey(
        Opportunity, on_delete=models.CASCADE, related_name="kind_links"
    )
    kind = models.CharField(_("kind"), max_length=30, choices=OpportunityKind.choices)

    class Meta:
        ordering = ["opportunity", "kind"]
        verbose_name = _("kind of place")
        verbose_name_plural = _("kinds of place")
        constraints = [
            models.UniqueConstraint(fields=["opportunity", "kind"], name="opportunity_kind_once"),
        ]
        indexes = [models.Index(fields=["kind", "opportunity"], name="opportunity_kind_idx")]

    def __str__(self) -> str:
        return self.get_kind_display()


class ScheduleFrequency(models.TextChoices):
    WEEKLY = "WEEKLY", _("weekly")
    MONTHLY = "MONTHLY", _("monthly")


class Schedule(TimeStampedModel):
    """When an opportunity meets (HSDS schedule): e.g. MONTHLY, byday "2TU,4TU", 10:00–12:00.

    ``public_id`` is the HSDS schedule id. ``kasane.participation.catalogue.schedules`` parses,
    validates and renders these fields ("毎月第2・第4火曜 10:00〜12:00").
    """

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="schedules")
    freq = models.CharField(_("frequency"), max_length=10, choices=ScheduleFrequency.choices)
    interval = models.PositiveSmallIntegerField(_("interval"), default=1)
    byday = models.CharField(_("days"), max_length=60, blank=True)
    bymonthday = models.CharField(_("days of the month"), max_length=60, blank=True)
    opens_at = models.TimeField(_("opens at"), null=True, blank=True)
    closes_at = models.TimeField(_("closes at"), null=True, blank=True)
    dtstart = models.DateField(_("first date"), null=True, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    description = models.CharField(_("description"), max_length=200, blank=True)

    class Meta:
        ordering = ["opportunity", "opens_at", "id"]
        verbose_name = _("schedule")
        verbose_name_plural = _("schedules")
        constraints = [
            models.CheckConstraint(condition=Q(interval__gte=1), name="schedule_interval_positive"),
            models.CheckConstraint(
                condition=Q(opens_at__isnull=True)
                | Q(closes_at__isnull=True)
                | Q(opens_at__lt=F("closes_at")),
                name="schedule_opens_before_closes",
            ),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_to__isnull=True)
                | Q(valid_from__lte=F("valid_to")),
                name="schedule_valid_range",
            ),
        ]

    def __str__(self) -> str:
        return self.text_ja or f"{self.freq} {self.byday or self.bymonthday}"

    @property
    def text_ja(self) -> str:
        """ "毎月第2・第4火曜 10:00〜12:00" (kasane.participation.catalogue.schedules)."""
        from kasane.participation.catalogue.schedules import render_ja

        return render_ja(self)
