"""API tokens: how an agency's own system signs in to the JSON API as one staff member."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kasane.core.models import TimeStampedModel


class ApiToken(TimeStampedModel):
    """A bearer token of one staff member. Only its SHA-256 digest is stored.

    The secret is shown once, when the token is made; ``prefix`` names the token to humans
    (in lists, in the audit log, to revoke it) without revealing anything that signs in.
    """

    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff member"),
        on_delete=models.PROTECT,
        related_name="api_tokens",
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    prefix = models.CharField(_("prefix"), max_length=16, unique=True)
    digest = models.CharField(_("digest"), max_length=64, unique=True, editable=False)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"api token {self.prefix}"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None
