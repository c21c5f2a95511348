"""Password rules after NIST SP 800-63B §5.1.1.2: length, not known, not predictable.

No composition rules (one upper-case letter, one digit…): NIST advises against them, as they
push people towards ``Password1!``. Instead a password is refused when it is in the bundled
list of passwords seen in breaches (Django's list of 20,000, built from breach corpora), when
it is such a password, or this service's name, with digits or symbols around it or letters
swapped for look-alike digits (``P@ssw0rd2024!``), and when it is a repetition or a sequence
(``aaaaaaaaaaaa``, ``123456789012``, ``qwertyuiopas``). Everything runs offline.
"""

from __future__ import annotations

import functools
import gzip
import re
from pathlib import Path

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kasane.accounts.error_codes import ErrorCode

# Words of this service that a password must not be built on (NIST: "context-specific words").
CONTEXT_WORDS = frozenset({"kasane", "kasanesi", "kasaneshi", "jusou", "juusou"})

# Digits and symbols people put before or after a word; stripping them finds the word.
_AFFIX = re.compile(r"^[\W\d_]+|[\W\d_]+$")
# Look-alike substitutions (p@ssw0rd); "1" stands for "i" or "l", so both are tried.
_LEET = str.maketrans({"@": "a", "4": "a", "0": "o", "3": "e", "$": "s", "5": "s", "7": "t"})

# Rows of a JIS/US keyboard, across and down, that people walk for a "random" password.
_KEYBOARD_WALKS = (
    "1234567890-^\\",
    "1234567890-=",
    "qwertyuiop@[",
    "qwertyuiop[]",
    "asdfghjkl;:]",
    "asdfghjkl;'",
    "zxcvbnm,./\\",
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik,9ol.0p;/",
    "zaq1xsw2cde3vfr4bgt5nhy6mju7,ki8.lo9/;p0",
    "1q2w3e4r5t6y7u8i9o0p",
    "qazwsxedcrfvtgbyhnujmikolp",
    "1234567890qwertyuiopasdfghjklzxcvbnm",
)
_ALPHABETS = ("abcdefghijklmnopqrstuvwxyz", "0123456789" * 3)


@functools.cache
def _breached_passwords() -> frozenset[str]:
    path = Path(password_validation.__file__).resolve().parent / "common-passwords.txt.gz"
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return frozenset(line.strip() for line in f if line.strip())


def _cores(password: str) -> set[str]:
    """The word inside a password: affixes of digits and symbols stripped, look-alikes undone."""
    lowered = password.lower().strip()
    stripped = _AFFIX.sub("", lowered)
    cores = {stripped}
    if not any(ch.isalpha() for ch in lowered):
        return {c for c in cores if c}  # digits alone: no word to uncover
    for one in ("i", "l"):
        # Undo look-alikes inside the word only ("1l0veyou#2025": the year stays digits),
        # and over the whole ("p@ssw0rd1", where the digits are part of the word).
        for text in (stripped, lowered):
            cores.add(_AFFIX.sub("", text.translate(_LEET).replace("1", one)))
    return {c for c in cores if c}


def _repeated_unit(text: str) -> bool:
    """``abcabcabcabc``, ``aaaaaaaaaaaa``: the whole text is one short piece, repeated."""
    n = len(text)
    return any(n % size == 0 and text == text[:size] * (n // size) for size in range(1, n // 2 + 1))


def _walk(text: str) -> bool:
    """The text runs along the alphabet, the digits or a keyboard row, either way."""
    lines = (*_ALPHABETS, *_KEYBOARD_WALKS)
    return any(text in line or text in line[::-1] for line in lines)


class MaximumLengthValidator:
    """NIST: allow at least 64 characters. A ceiling still stops a megabyte "password" from
    costing a hashing run."""

    def __init__(self, max_length: int = 128) -> None:
        if max_length < 64:
            raise ValueError("NIST SP 800-63B asks that passwords of 64 characters be allowed")
        self.max_length = max_length

    def validate(self, password: str, user: object = None) -> None:
        if len(password) > self.max_length:
            raise ValidationError(
                ngettext(
                    "This password is too long. It must contain at most %(max_length)d character.",
                    "This password is too long. It must contain at most %(max_length)d characters.",
                    self.max_length,
                ),
                code=ErrorCode.PASSWORD_TOO_LONG,
                params={"max_length": self.max_length},
            )

    def get_help_text(self) -> str:
        return ngettext(
            "Your password can be as long as %(max_length)d character; a phrase of several "
            "words is easy to remember and hard to guess.",
            "Your password can be as long as %(max_length)d characters; a phrase of several "
            "words is easy to remember and hard to guess.",
            self.max_length,
        ) % {"max_length": self.max_length}


class BreachedPasswordValidator:
    """Refuse a password that breaches have made known, or one built on such a password or on
    this service's name with digits, symbols or look-alike letters around it."""

    def validate(self, password: str, user: object = None) -> None:
        known = _breached_passwords()
        lowered = password.lower().strip()
        if lowered in known:
            raise ValidationError(
                _("This password appears in lists of passwords leaked from other services."),
                code=ErrorCode.PASSWORD_BREACHED,
            )
        for core in _cores(password):
            if core in CONTEXT_WORDS:
                raise ValidationError(
                    _("This password is built on the name of this service. Choose another."),
                    code=ErrorCode.PASSWORD_CONTEXT_WORD,
                )
            if core != lowered and core in known:
                raise ValidationError(
                    _(
                        "This password is a leaked password with digits or symbols added. "
                        "Such changes are the first that guessing tools try."
                    ),
                    code=ErrorCode.PASSWORD_BREACHED_VARIANT,
                )

    def get_help_text(self) -> str:
        return _(
            "Your password cannot be one leaked from other services, nor such a password with "
            "digits or symbols added."
        )


class RepetitivePasswordValidator:
    """Refuse repetitions and sequences: ``aaaaaaaaaaaa``, ``abcabcabcabc``, ``123456789012``,
    ``qwertyuiopas`` (NIST: "repetitive or sequential characters")."""

    def validate(self, password: str, user: object = None) -> None:
        lowered = password.lower()
        cores = {lowered, *_cores(password)}
        if any(len(c) >= 4 and (_repeated_unit(c) or _walk(c)) for c in cores):
            raise ValidationError(
                _(
                    "This password is a repetition or a sequence of characters (like "
                    "aaaa, abcabc, 1234 or qwerty), which guessing tools try first."
                ),
                code=ErrorCode.PASSWORD_REPETITIVE,
            )

    def get_help_text(self) -> str:
        return _("Your password cannot be a repetition or a sequence of characters.")
