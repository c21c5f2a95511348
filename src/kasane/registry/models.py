"""The registry: areas, households, persons, their memberships and family relations.

Persons and households are personal data: read them only through ``kasane.privacy``
selectors, write them only through ``kasane.registry.services``.
"""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from kasane.core.models import TimeStampedModel
from kasane.registry.validators import (
    validate_birth_date,
    validate_kana_name,
    validate_not_future,
    validate_phone,
)


class AreaKind(models.TextChoices):
    CITY = "city", _("city")
    SPHERE = "sphere", _("daily-life sphere")
    SCHOOL_DISTRICT = "school_district", _("junior high school district")
    BLOCK = "block", _("town block")


# Which kind of area may contain which: city ⊃ 圏域 ⊃ 中学校区 ⊃ 町丁目.
AREA_PARENT_KIND = {
    AreaKind.CITY: None,
    AreaKind.SPHERE: AreaKind.CITY,
    AreaKind.SCHOOL_DISTRICT: AreaKind.SPHERE,
    AreaKind.BLOCK: AreaKind.SCHOOL_DISTRICT,
}


class Area(TimeStampedModel):
    """圏域 / 中学校区 / 町丁目: areas nest, each inside one of the kind above it."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=AreaKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent area"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind=AreaKind.CITY, parent__isnull=True)
                | (~Q(kind=AreaKind.CITY) & Q(parent__isnull=False)),
                name="area_only_city_has_no_parent",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Sex(models.TextChoices):
    MALE = "male", _("male")
    FEMALE = "female", _("female")
    OTHER = "other", _("other")
    UNKNOWN = "unknown", _("unknown")


class Household(TimeStampedModel):
    """世帯: the unit that support is organised around."""

    address = models.CharField(_("address"), max_length=200, blank=True)
    area = models.ForeignKey(
        Area, verbose_name=_("area"), on_delete=models.PROTECT, null=True, blank=True
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[validate_phone])
    note = models.TextField(_("note"), blank=True, max_length=2000)
    # 世帯番号 in the 住民記録 system: set by kasane.registry.import_services, the key that
    # makes re-importing a register file find the same household.
    register_number = models.CharField(_("household number"), max_length=20, blank=True)
    registered_by_agency = models.ForeignKey(
        "accounts.Agency",
        verbose_name=_("registering agency"),
        on_delete=models.PROTECT,
        related_name="registered_households",
    )

    class Meta:
        ordering = ["-created_at", "id"]
        verbose_name = _("household")
        verbose_name_plural = _("households")
        constraints = [
            models.UniqueConstraint(
                fields=["register_number"],
                condition=~Q(register_number=""),
                name="household_register_number_unique",
            )
        ]
        # The household list's order (newest first): a page is a walk of this index.
        indexes = [models.Index(fields=["-created_at", "-id"], name="household_created")]

    def __str__(self) -> str:
        return f"household {self.public_id}"


class Person(TimeStampedModel):
    """個人: a member of a household, and the client (本人) of support."""

    name = models.CharField(_("name"), max_length=100)
    kana = models.CharField(_("name in kana"), max_length=100, validators=[validate_kana_name])
    birth_date = models.DateField(
        _("date of birth"), null=True, blank=True, validators=[validate_birth_date]
    )
    sex = models.CharField(_("sex"), max_length=10, choices=Sex.choices, default=Sex.UNKNOWN)
    # Kept for the genogram: a deceased parent or spouse still belongs in the family picture.
    died_on = models.DateField(
        _("date of death"), null=True, blank=True, validators=[validate_not_future]
    )
    area = models.ForeignKey(
        Area, verbose_name=_("area"), on_delete=models.PROTECT, null=True, blank=True
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[validate_phone])
    # Derived by the registry services from name and kana with kasane.core.kana; they are
    # what search and 名寄せ (duplicate detection) compare, never what anyone types.
    name_normalized = models.CharField(max_length=100, editable=False)
    kana_normalized = models.CharField(max_length=100, editable=False)
    search_tokens = models.TextField(editable=False)
    # 宛名番号 (or 住民票コード) in the 住民記録 system: the key that makes re-importing a
    # register file update the same person instead of registering them again.
    resident_number = models.CharField(_("resident number"), max_length=20, blank=True)
    registered_by_agency = models.ForeignKey(
        "accounts.Agency",
        verbose_name=_("registering agency"),
        on_delete=models.PROTECT,
        related_name="registered_persons",
    )

    class Meta:
        ordering = ["kana_normalized", "id"]
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        indexes = [models.Index(fields=["kana_normalized", "birth_date"], name="person_nayose")]
        constraints = [
            models.UniqueConstraint(
                fields=["resident_number"],
                condition=~Q(resident_number=""),
                name="person_resident_number_unique",
            )
        ]

    def __str__(self) -> str:
        return f"person {self.public_id}"


class Relationship(models.TextChoices):
    """続柄: the member's relation to the head of the household."""

    HEAD = "head", _("head of household")
    SPOUSE = "spouse", _("spouse")
    CHILD = "child", _("child")
    CHILD_IN_LAW = "child_in_law", _("child's spouse")
    PARENT = "parent", _("parent")
    GRANDPARENT = "grandparent", _("grandparent")
    GRANDCHILD = "grandchild", _("grandchild")
    SIBLING = "sibling", _("sibling")
    OTHER_RELATIVE = "other_relative", _("other relative")
    COHABITANT = "cohabitant", _("cohabitant")


class Membership(TimeStampedModel):
    """世帯員: a person's membership of a household over a period of time."""

    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.CASCADE, related_name="memberships"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="memberships"
    )
    relationship = models.CharField(_("relationship"), max_length=20, choices=Relationship.choices)
    started_on = models.DateField(_("from"), validators=[validate_not_future])
    ended_on = models.DateField(_("until"), null=True, blank=True, validators=[validate_not_future])

    class Meta:
        ordering = ["started_on", "id"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(ended_on__isnull=True),
                name="membership_one_current_household_per_person",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="membership_ends_after_it_starts",
            ),
        ]

    def __str__(self) -> str:
        return f"membership {self.public_id}"


class RelationKind(models.TextChoices):
    """家族関係, read as "from_person is the <kind> of to_person"."""

    PARENT = "parent", _("parent of")
    SPOUSE = "spouse", _("spouse of")
    SIBLING = "sibling", _("sibling of")
    GRANDPARENT = "grandparent", _("grandparent of")
    OTHER = "other", _("other relative of")


class Relation(TimeStampedModel):
    """A family relation between two persons, for the genogram."""

    from_person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="relations_from"
    )
    to_person = models.ForeignKey(
        Person,
        verbose_name=_("related person"),
        on_delete=models.CASCADE,
        related_name="relations_to",
    )
    kind = models.CharField(_("relation"), max_length=20, choices=RelationKind.choices)

    class Meta:
        ordering = ["id"]
        verbose_name = _("family relation")
        verbose_name_plural = _("family relations")
        constraints = [
            models.UniqueConstraint(
                fields=["from_person", "to_person", "kind"], name="relation_unique"
            ),
            models.CheckConstraint(
                condition=~Q(from_person=F("to_person")), name="relation_not_to_self"
            ),
        ]

    def __str__(self) -> str:
        return f"relation {self.public_id}"
