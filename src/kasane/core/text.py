"""What a name may hold: visible characters only.

A right-to-left override (U+202E) made a name display reversed; other format characters
(zero-width spaces, joiners, bidirectional marks and isolates) make two names that look
the same differ, or one that looks harmless hide another. Control characters do not belong
in a one-line name. A NUL (U+0000) cannot be stored on PostgreSQL at all; it gets a message
of its own (Django's Japanese catalogue translates its NUL message as "enter some text").
Variation selectors (異体字, U+E0100…) are marks, not format characters, and stay allowed.
"""

from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from kasane.core.error_codes import ErrorCode

# Unicode general categories refused in a name: format (Cf: bidi controls U+202A–U+202E,
# U+2066–U+2069, U+200E/F, U+061C, zero-width U+200B–U+200D, U+2060, U+FEFF…), control (Cc),
# unassigned/private/surrogate code points (Cn, Co, Cs), and line/paragraph separators.
REFUSED_CATEGORIES = frozenset({"Cf", "Cc", "Cn", "Co", "Cs", "Zl", "Zp"})


def invisible_characters(value: str) -> list[str]:
    """The refused characters in ``value`` as ``U+XXXX``, each once, in order."""
    found: dict[str, None] = {}
    for char in value:
        if char != "\x00" and unicodedata.category(char) in REFUSED_CATEGORIES:
            found[f"U+{ord(char):04X}"] = None
    return list(found)


def nul_error() -> ValidationError:
    return ValidationError(
        _(
            "The text contains a NUL character (U+0000), which cannot be stored. Delete it "
            "(it is often pasted from another system) and enter the text again."
        ),
        code=ErrorCode.NUL_CHARACTER,
    )


def validate_visible_text(value: str) -> None:
    """Refuse a NUL, and invisible control or format characters, with messages that say so."""
    if "\x00" in value:
        raise nul_error()
    found = invisible_characters(value)
    if found:
        raise ValidationError(
            _(
                "Names cannot contain invisible control or formatting characters, such as "
                "right-to-left marks (%(characters)s): they make a name display differently "
                "from what is stored. Delete them and enter the name again."
            ),
            code=ErrorCode.INVISIBLE_CHARACTER,
            params={"characters": ", ".join(found[:5])},
        )
