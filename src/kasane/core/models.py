"""Shared model building blocks and enumerations used by several apps."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    """A public UUID for URLs, and creation/update times."""

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class Domain(models.TextChoices):
    """分野・属性: the attribute-based fields of welfare that the program crosses."""

    ELDERLY = "elderly", _("elderly")
    DISABILITY = "disability", _("disability")
    CHILD = "child", _("children")
    POVERTY = "poverty", _("poverty")
    HEALTH = "health", _("health")
    YOUTH = "youth", _("youth")
    EDUCATION = "education", _("education")
    HOUSING = "housing", _("housing")
    EMPLOYMENT = "employment", _("employment")


class FormSubmission(models.Model):
    """A form's one-time token, so that a form posted twice creates its record once."""

    token = models.UUIDField(_("token"), unique=True)
    object_type = models.CharField(_("object type"), max_length=50)
    object_public_id = models.UUIDField(_("object public id"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("form submission")
        verbose_name_plural = _("form submissions")

    def __str__(self) -> str:
        return f"{self.object_type}:{self.object_public_id}"
