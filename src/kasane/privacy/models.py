"""The audit log (閲覧・操作記録): append-only and chained by hash."""

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    VIEW = "view", _("view")
    SEARCH = "search", _("search")
    CREATE = "create", _("create")
    UPDATE = "update", _("update")
    DELETE = "delete", _("delete")
    LOGIN = "login", _("login")
    LOGIN_FAILED = "login_failed", _("failed login")
    LOGOUT = "logout", _("logout")


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


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise TypeError("audit events are append-only")

    def delete(self) -> NoReturn:
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
    action = models.CharField(_("action"), max_length=20, choices=AuditAction.choices)
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
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [
            models.Index(fields=["at"], name="audit_at"),
            models.Index(fields=["actor_username", "at"], name="audit_actor_at"),
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
