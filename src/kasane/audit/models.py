"""The audit log (閲覧・操作記録): append-only and chained by hash.

The bottom layer: every other app writes to it through :func:`kasane.audit.services.record`
and reads its vocabulary from here; it imports no domain app. The table keeps the name it had
under ``privacy`` (``privacy_auditevent``), with its indexes and its PostgreSQL triggers.
"""

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AuditAction(models.TextChoices):
    VIEW = "view", _("view")
    SEARCH = "search", _("search")
    CREATE = "create", _("create")
    UPDATE = "update", _("update")
    DELETE = "delete", _("delete")
    LOGIN = "login", _("login")
    LOGIN_FAILED = "login_failed", _("failed login")
    LOGOUT = "logout", _("logout")
    # A request for a record that the policy refused (404 or 403), whether or not it exists.
    REFUSED = "refused", _("refused request")
    # An account's access given, changed or confirmed (role, agency, password reset).
    GRANT = "grant", _("account grant")
    # A file taken away: a workbook, a CSV, a PDF, a JSON export.
    DOWNLOAD = "download", _("download")


class LegalBasis(models.TextChoices):
    """Why the actor was allowed to do what the event records (DESIGN.md)."""

    OWN_AGENCY = "own_agency", _("registered by the actor's agency")
    CASE_TEAM = "case_team", _("member of the case's support team")
    REFERRAL = "referral", _("addressee of a referral")
    COORDINATION = "coordination", _("multi-agency coordination")
    CONSENT = "consent", _("consent of the person")
    SUPPORT_MEETING = "support_meeting", _("support meeting (Social Welfare Act art. 106-6)")
    BREAK_GLASS = "break_glass", _("protection of life or safety (break-glass)")
    SYSTEM = "system", _("system operation")
    NONE = "none", _("no personal data")


class ObjectType(models.TextChoices):
    """What an event is about: a record's kind, or a list, export or page that shows many.

    The values are the strings the log has always held; a new kind of record is added here.
    """

    AGENCY = "agency"
    AGENDA_ITEM = "agenda_item"
    ANNUAL_REPORT = "annual_report"
    ANNUAL_REPORT_CASE_LIST = "annual_report_case_list"
    API_TOKEN = "api_token"  # noqa: S105 - a kind of record, not a secret
    AREA = "area"
    ASSESSMENT = "assessment"
    AUDIT_ALERT = "audit_alert"
    AUDIT_LOG_EXPORT = "audit_log_export"
    BREAK_GLASS = "break_glass"
    BREAK_GLASS_LIST = "break_glass_list"
    CASE = "case"
    CASE_LIST = "case_list"
    CASE_LIST_EXPORT = "case_list_export"
    CASE_MEETINGS = "case_meetings"
    CASE_NOTE = "case_note"
    CASE_PLANS = "case_plans"
    CLOSURE = "closure"
    CLOSURES_BY_LEAD = "closures_by_lead"
    COMMUNITY_AGGREGATE = "community_aggregate"
    COMMUNITY_ISSUE = "community_issue"
    COMMUNITY_ISSUE_ACTION = "community_issue_action"
    COMMUNITY_ISSUE_DISCUSSION = "community_issue_discussion"
    COMMUNITY_PLACE = "community_place"
    COMMUNITY_PLACE_LIST_EXPORT = "community_place_list_export"
    COMMUNITY_PLACES_BY_AREA = "community_places_by_area"
    CONCERN_REPORT = "concern_report"
    CONCERN_REPORT_LIST = "concern_report_list"
    CONCERN_REPORT_LIST_EXPORT = "concern_report_list_export"
    CONSENT = "consent"
    CONSULTATION = "consultation"
    CONSULTATION_LIST = "consultation_list"
    CONSULTATION_LIST_EXPORT = "consultation_list_export"
    CONTACT_ATTEMPT = "contact_attempt"
    EVALUATION_DASHBOARD = "evaluation_dashboard"
    COORDINATION_BOARD = "coordination_board"
    COORDINATION_BOARD_EXPORT = "coordination_board_export"
    FOLLOW_UP = "follow_up"
    HANDOVER = "handover"
    HOUSEHOLD = "household"
    HOUSEHOLD_LIST = "household_list"
    HOUSEHOLD_LIST_EXPORT = "household_list_export"
    INBOX = "inbox"
    INDICATOR = "indicator"
    INDICATOR_TARGET = "indicator_target"
    INDICATOR_VALUE = "indicator_value"
    LOGIC_MODEL = "logic_model"
    LONELINESS_SCORE = "loneliness_score"
    MATCH = "match"
    MATCH_LIST = "match_list"
    MATCH_LIST_EXPORT = "match_list_export"
    MATCHING = "matching"
    MEETING = "meeting"
    MEETING_ATTENDEE = "meeting_attendee"
    MEETING_DECISION = "meeting_decision"
    MEETING_LIST = "meeting_list"
    MEETING_LIST_EXPORT = "meeting_list_export"
    MEETING_PLEDGE = "meeting_pledge"
    MEMBERSHIP = "membership"
    NEEDTYPE = "needtype"
    OUTREACH_HOME = "outreach_home"
    OUTREACH_TARGET = "outreach_target"
    OUTREACH_TARGET_LIST = "outreach_target_list"
    OUTREACH_TARGET_LIST_EXPORT = "outreach_target_list_export"
    PARTICIPATION_CATALOGUE = "participation.catalogue"
    PARTICIPATION_CATALOGUE_EXPORT = "participation.catalogue_export"
    PARTICIPATION_OPPORTUNITY = "participation.opportunity"
    PARTICIPATION_RESOURCE = "participation.resource"
    PDCA_REVIEW = "pdca_review"
    PERSON = "person"
    REFERRAL = "referral"
    RELATION = "relation"
    RESIDENT_IMPORT = "resident_import"
    RESIDENT_IMPORT_CHECK = "resident_import_check"
    RESIDENT_IMPORT_REFUSED = "resident_import_refused"
    REVIEW = "review"
    REVIEWS_DUE = "reviews_due"
    SELF_ASSESSMENT = "self_assessment"
    STAFF = "staff"
    STAFFING_ASSUMPTIONS = "staffing_assumptions"
    STAFFING_ESTIMATE = "staffing_estimate"
    SUPPORT_PLAN = "support_plan"
    TWO_FACTOR = "two_factor"
    UNMET_NEED = "unmet_need"
    WATCHAGREEMENT = "watchagreement"


# The pages and files of counts (aggregates): each view or download of one is recorded with
# its filters, and an account that asks for very many in an hour is reported to the auditor
# (``kasane.audit.alerts``): differencing overlapping tables is how small counts leak.
AGGREGATE_TYPES = frozenset(
    {
        ObjectType.ANNUAL_REPORT,
        ObjectType.COMMUNITY_AGGREGATE,
        ObjectType.COMMUNITY_PLACES_BY_AREA,
        ObjectType.EVALUATION_DASHBOARD,
        ObjectType.INDICATOR,
        ObjectType.LOGIC_MODEL,
        ObjectType.SELF_ASSESSMENT,
        ObjectType.STAFFING_ESTIMATE,
    }
)


class Purpose(models.TextChoices):
    """Why a record was opened, stored in the event's detail as ``purpose``: the page or form
    that read it (``view`` for its own page)."""

    ACCEPT = "accept"
    ADD_MEMBER = "add_member"
    ADD_NOTE = "add_note"
    ADD_RELATION = "add_relation"
    AGENDA = "agenda"
    APPROVE = "approve"
    ASSESSMENT = "assessment"
    ATTEMPT = "attempt"
    BREAK_GLASS = "break_glass"
    CASE_OPEN = "case_open"
    CLOSE = "close"
    CLOSURE = "closure"
    CONSENT = "consent"
    DECISION = "decision"
    DIFF = "diff"
    EDIT = "edit"
    END_MEMBERSHIP = "end_membership"
    HANDOVER = "handover"
    INTAKE = "intake"
    MATCH = "match"
    MATCHING = "matching"
    MEETINGS = "meetings"
    MINUTES = "minutes"
    NAME_LEAD = "name_lead"
    NOTES = "notes"
    OPEN_TARGET = "open_target"
    PLAN_APPROVAL = "plan_approval"
    PLAN_CREATE = "plan_create"
    PRINT = "print"
    REFER = "refer"
    REOPEN = "reopen"
    REVIEW = "review"
    SEND_TO_COORDINATION = "send_to_coordination"
    STAGE = "stage"
    STATUS = "status"
    TO_CASE = "to_case"
    TRIAGE = "triage"
    UPDATE = "update"
    VIEW = "view"


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    """Refuses every way the ORM changes or removes rows: ``update`` and ``bulk_update``
    (through ``_update``, which ``Model.save`` also uses), ``delete`` and the collector's
    fast path ``_raw_delete``. The database triggers (privacy migration 0004) refuse raw SQL."""

    def update(self, **kwargs: Any) -> NoReturn:
        raise TypeError("audit events are append-only")

    def _update(self, values: Any) -> NoReturn:
        raise TypeError("audit events are append-only")

    def bulk_update(self, objs: Any, fields: Any, batch_size: int | None = None) -> NoReturn:
        raise TypeError("audit events are append-only")

    def delete(self) -> NoReturn:
        raise TypeError("audit events are append-only")

    def _raw_delete(self, using: Any) -> NoReturn:
        raise TypeError("audit events are append-only")


class AuditEvent(models.Model):
    """One read or change of personal data, or one sign-in, as it happened.

    ``hash`` covers every field and the previous event's hash, so ``kasane audit_verify``
    finds any event altered, removed or moved.
    """

    sequence = models.PositiveBigIntegerField(_("sequence"), unique=True, editable=False)
    at = models.DateTimeField(_("time"), editable=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_username = models.CharField(_("user name"), max_length=150, blank=True)
    agency_name = models.CharField(_("agency"), max_length=100, blank=True)
    action = models.CharField(
        pgettext_lazy("audit log", "action"), max_length=20, choices=AuditAction.choices
    )
    object_type = models.CharField(_("object type"), max_length=50, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    legal_basis = models.CharField(_("legal basis"), max_length=20, choices=LegalBasis.choices)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    previous_hash = models.CharField(max_length=64, editable=False)
    hash = models.CharField(max_length=64, unique=True, editable=False)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-sequence"]
        # Django saves and deletes through the base manager: make it the refusing one.
        base_manager_name = "objects"
        # The table was created by the privacy app and keeps its name (no data moves).
        db_table = "privacy_auditevent"
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [
            models.Index(fields=["at"], name="audit_at"),
            models.Index(fields=["actor_username", "at"], name="audit_actor_at"),
            # The alerts count one account's refused requests (or views) of the last hour.
            models.Index(fields=["actor_username", "action", "at"], name="audit_actor_action_at"),
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
        ]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.action} {self.object_type}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # An event built by hand with an existing primary key is "adding" too, and Django
        # would UPDATE that row: only ever INSERT, so it fails instead of overwriting.
        if (
            not self._state.adding
            or args
            or kwargs.get("force_update")
            or kwargs.get("update_fields") is not None
        ):
            raise TypeError("audit events are append-only")
        kwargs["force_insert"] = True
        super().save(**kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise TypeError("audit events are append-only")


class AlertKind(models.TextChoices):
    REFUSED = "refused", _("many refused requests")
    AGGREGATE_VIEWS = "aggregate_views", _("many views of aggregates")


class AuditAlert(models.Model):
    """One account's unusual activity in a window, raised for the auditor to review: many
    refused requests (guessing ids) or many views of aggregates (differencing tables).

    At most one per account and kind in a window (``kasane.audit.alerts``); the events
    themselves stay in the log, and the auditor reviews the alert with a note.
    """

    kind = models.CharField(_("kind"), max_length=20, choices=AlertKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_username = models.CharField(_("user name"), max_length=150)
    raised_at = models.DateTimeField(_("raised at"))
    window_start = models.DateTimeField(_("window start"))
    count = models.PositiveIntegerField(_("events in the window"))
    threshold = models.PositiveIntegerField(_("threshold"))
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    review_note = models.TextField(_("review note"), blank=True, max_length=2000)

    class Meta:
        ordering = ["-raised_at", "-id"]
        verbose_name = _("audit alert")
        verbose_name_plural = _("audit alerts")
        indexes = [
            models.Index(fields=["actor_username", "kind", "raised_at"], name="audit_alert_recent"),
            models.Index(fields=["reviewed_at", "raised_at"], name="audit_alert_pending"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.actor_username} {self.raised_at:%Y-%m-%d %H:%M}"
