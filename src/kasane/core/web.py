"""The small web kit every app's views share: who may use a page, which page of a list, and
the "validate the form, run the service, put its refusals on the form" pattern.

Generic on purpose: the role checks are the apps' own predicates (``works_cases``,
``may_see``…), passed in; this module knows no app.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django_stubs_ext import StrOrPromise

Actor = TypeVar("Actor")

# A list never pages further than this: a larger number is a typo or a probe.
LAST_PAGE = 100_000


def require_role(
    request: HttpRequest, allowed: Callable[[Actor], bool], *, hide: bool = True
) -> Actor:
    """The signed-in staff member, if ``allowed`` says their role may use this page.

    Otherwise 404 (``hide``: a role that may not use a page whose address names a record
    learns nothing about whether the record exists, as for another agency's caseworker),
    or 403 with ``hide=False``.
    """
    user = request.user
    if not user.is_authenticated or not allowed(cast(Actor, user)):
        raise Http404 if hide else PermissionDenied
    return cast(Actor, user)


def page_number(request: HttpRequest, name: str = "page") -> int:
    """The page of a list asked for in ``?page=``: 1 when absent or not a number."""
    try:
        return max(1, min(int(request.GET.get(name) or "1"), LAST_PAGE))
    except ValueError:
        return 1


def apply_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: on the field it names when the form has
    that field, else on the form as a whole."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def run_service(
    request: HttpRequest,
    form: forms.BaseForm,
    action: Callable[[dict[str, Any]], object],
    success: StrOrPromise | None = None,
    *,
    denied: StrOrPromise | type[Http404] | None = None,
    passthrough: tuple[type[Exception], ...] = (),
) -> bool:
    """On a POST with a valid form, run ``action(form.cleaned_data)``; True when it ran.

    The service's ValidationError lands on the form (nothing typed is lost) and the answer
    is False. A refusal (PermissionDenied) becomes, by ``denied``: that message on the form;
    ``Http404``, on a page that does not tell the actor the record exists; or, when None,
    the refusal itself (403). Exceptions in ``passthrough`` (refusals the page explains
    itself) go through untouched. ``success`` is shown as a message when the action ran.
    """
    if request.method != "POST" or not form.is_valid():
        return False
    try:
        action(form.cleaned_data)
    except passthrough:
        raise
    except ValidationError as error:
        apply_errors(form, error)
        return False
    except PermissionDenied as refusal:
        if denied is None:
            raise
        if isinstance(denied, type):
            raise denied from refusal
        form.add_error(None, denied)
        return False
    if success is not None:
        messages.success(request, success)
    return True
