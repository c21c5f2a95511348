"""Validation of what staff type into registry forms, with messages in the user's language."""

import datetime
import unicodedata

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from kasane.core import kana
from kasane.core.error_codes import ErrorCode as CoreCode
from kasane.registry.error_codes import ErrorCode

EARLIEST_BIRTH_DATE = datetime.date(1900, 1, 1)


def validate_kana_name(value: str) -> None:
    if not kana.is_kana_name(value):
        raise ValidationError(
            _("Enter the name in kana (katakana or hiragana) only."), code=ErrorCode.NOT_KANA
        )


def validate_birth_date(value: datetime.date) -> None:
    if value > timezone.localdate():
        raise ValidationError(_("The date of birth cannot be in the future."), code=CoreCode.FUTURE)
    if value < EARLIEST_BIRTH_DATE:
        raise ValidationError(_("The date of birth is before 1900."), code=CoreCode.TOO_EARLY)


def validate_not_future(value: datetime.date) -> None:
    if value > timezone.localdate():
        raise ValidationError(_("The date cannot be in the future."), code=CoreCode.FUTURE)


# Hyphens as a Japanese keyboard types them: full-width, the 長音 mark, dashes and minus.
_DASHES = str.maketrans(dict.fromkeys("‐‑‒–—―−ー－", "-"))


def normalize_phone(value: str) -> str:
    """A phone number in half-width digits and hyphens, however it was typed (０７７ー…)."""
    return unicodedata.normalize("NFKC", value).translate(_DASHES).strip()


def validate_phone(value: str) -> None:
    digits = normalize_phone(value).replace("-", "").replace(" ", "")
    # isascii: str.isdigit alone accepts any script's digits, superscripts included.
    if value and (not (digits.isascii() and digits.isdigit()) or not 9 <= len(digits) <= 13):
        raise ValidationError(
            _("Enter a phone number of digits and hyphens, e.g. 077-123-4567."),
            code=ErrorCode.PHONE,
        )
