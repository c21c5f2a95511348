"""The Japanese catalogue: complete, well-formed, compiled, and actually used by the pages.

Japanese is the product's language (LANGUAGE_CODE "ja"); the msgids in the code are English.
A missing or broken translation shows an English word, or crashes a page on a bad placeholder,
in front of a municipal social worker. How to update the catalogue: src/kasane/locale/README.md.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import polib
import pytest
from django.test import Client

import kasane

LC_MESSAGES = Path(kasane.__file__).parent / "locale" / "ja" / "LC_MESSAGES"
PO_FILE = LC_MESSAGES / "django.po"
MO_FILE = LC_MESSAGES / "django.mo"

# %(name)s, %(n)d … (printf style, named or not) and {name} (str.format style).
PRINTF = re.compile(r"%(?:\([A-Za-z_]\w*\))?[-#0 +]*\d*(?:\.\d+)?[sdifrxXeEgGc]")
BRACES = re.compile(r"\{[A-Za-z_]\w*(?:![rsa])?(?::[^{}]*)?\}")


def placeholders(text: str) -> Counter[str]:
    return Counter(PRINTF.findall(text.replace("%%", ""))) + Counter(BRACES.findall(text))


@pytest.fixture(scope="module")
def po() -> polib.POFile:
    return polib.pofile(str(PO_FILE))


def entries(po: polib.POFile) -> list[polib.POEntry]:
    return [e for e in po if not e.obsolete]


def label(entry: polib.POEntry) -> str:
    return f"{entry.msgid!r} ({', '.join(f'{p}:{n}' for p, n in entry.occurrences[:2])})"


def test_the_catalogue_is_japanese_with_one_plural_form(po) -> None:
    assert po.metadata["Language"] == "ja"
    assert po.metadata["Plural-Forms"].replace(" ", "") == "nplurals=1;plural=0;"
    assert "charset=UTF-8" in po.metadata["Content-Type"]
    assert not po.metadata_is_fuzzy
    assert len(entries(po)) > 100


def test_every_msgid_is_translated(po) -> None:
    untranslated = []
    for e in entries(po):
        if e.msgid_plural:
            # Japanese has one form: msgstr[0] and nothing else.
            if not e.msgstr_plural.get(0, "").strip() or set(e.msgstr_plural) != {0}:
                untranslated.append(label(e))
        elif not e.msgstr.strip():
            untranslated.append(label(e))
    assert untranslated == [], "untranslated:\n" + "\n".join(untranslated)


def test_no_translation_is_fuzzy(po) -> None:
    fuzzy = [label(e) for e in entries(po) if "fuzzy" in e.flags]
    assert fuzzy == [], "fuzzy (gettext ignores them):\n" + "\n".join(fuzzy)


def test_placeholders_match(po) -> None:
    wrong = []
    for e in entries(po):
        if e.msgid_plural:
            expected = set(placeholders(e.msgid)) | set(placeholders(e.msgid_plural))
            for form in e.msgstr_plural.values():
                if set(placeholders(form)) != expected:
                    wrong.append(f"{label(e)}: {sorted(expected)} vs {form!r}")
        elif placeholders(e.msgid) != placeholders(e.msgstr):
            wrong.append(f"{label(e)}: {e.msgstr!r}")
    assert wrong == [], "placeholders differ:\n" + "\n".join(wrong)


def test_placeholder_pattern_sees_both_styles() -> None:
    assert placeholders("%(n)s of %(total)d, {name} and 100%%") == Counter(
        ["%(n)s", "%(total)d", "{name}"]
    )
    assert placeholders("「{name}」%(age)d歳") == Counter(["{name}", "%(age)d"])


def compiled_view(catalogue: polib._BaseFile) -> dict[tuple[str | None, str], object]:
    """What gettext sees: (context, msgid) → translation(s), for translated entries only."""
    seen: dict[tuple[str | None, str], object] = {}
    for e in catalogue:
        if e.obsolete or "fuzzy" in e.flags or not e.msgid:
            continue
        if e.msgid_plural:
            forms = tuple(text for _, text in sorted(e.msgstr_plural.items()))
            if any(forms):
                seen[(e.msgctxt, e.msgid)] = (e.msgid_plural, forms)
        elif e.msgstr:
            seen[(e.msgctxt, e.msgid)] = e.msgstr
    return seen


def test_the_committed_mo_is_compiled_from_the_po(po) -> None:
    assert MO_FILE.exists(), "run django-admin compilemessages in src/kasane"
    mo = polib.mofile(str(MO_FILE))
    from_po, from_mo = compiled_view(po), compiled_view(mo)
    stale = sorted(
        repr(key[1])
        for key in from_po.keys() | from_mo.keys()
        if from_po.get(key) != from_mo.get(key)
    )
    assert stale == [], (
        "django.mo is not compiled from django.po; run compilemessages:\n" + "\n".join(stale)
    )
    assert mo.metadata.get("Plural-Forms", "").replace(" ", "") == "nplurals=1;plural=0;"


# --- the catalogue in use ----------------------------------------------------------------

ENGLISH_ON_THE_LOGIN_PAGE = [
    "Sign in",
    "Sign in to Kasane",
    "sensitive personal information",
    "never share your account",
    "Skip to content",
    "integrated support",
    "Social Welfare Act",
    "Username",
    "Password",
    ">Change<",
]


@pytest.mark.django_db
def test_the_login_page_is_japanese_by_default() -> None:
    """No Accept-Language header, no cookie: the product's own language, Japanese."""
    response = Client().get("/accounts/login/")
    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="ja">' in page
    assert "Kasaneにログイン" in page
    assert "ログイン</button>" in page
    assert "ユーザー名" in page
    assert "パスワード" in page
    assert "個人情報" in page
    for english in ENGLISH_ON_THE_LOGIN_PAGE:
        assert english not in page, f"untranslated on the login page: {english!r}"


@pytest.mark.django_db
def test_the_login_page_follows_a_japanese_browser() -> None:
    response = Client(headers={"accept-language": "ja-JP,ja;q=0.9,en;q=0.5"}).get(
        "/accounts/login/"
    )
    page = response.content.decode()
    assert "Kasaneにログイン" in page
    assert "Sign in" not in page
