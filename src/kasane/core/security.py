"""Content-Security-Policy: the browser runs only Kasane's own files.

Django 5.2 has no CSP of its own, so this middleware sets one header on every response,
error pages included. The policy has no ``'unsafe-inline'`` and no ``'unsafe-eval'``:
every script and stylesheet is a static file, pages carry no ``<script>`` or ``<style>``
blocks and no ``style="..."`` or ``on...=`` attributes, and htmx is told not to inject its
indicator style nor to evaluate code (the ``htmx-config`` meta in ``base.html``). Then an
injected ``<script>`` in a name a worker typed never runs, even where escaping has failed.

Violations are reported to :func:`csp_report`, which logs the directive and the page's path
(paths carry public ids only, never a name) so an operator sees a page that breaks the rule.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.urls import NoReverseMatch, reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

logger = logging.getLogger("kasane.csp")

POLICY: dict[str, str] = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
    "base-uri": "'none'",
    "object-src": "'none'",
}

# A report is a few hundred bytes; anything much larger is not a browser's report.
MAX_REPORT_BYTES = 8 * 1024


def policy_header(report_uri: str | None) -> str:
    parts = [f"{name} {value}" for name, value in POLICY.items()]
    if report_uri:
        parts.append(f"report-uri {report_uri}")
    return "; ".join(parts)


class ContentSecurityPolicyMiddleware:
    """Add the policy to every response that does not already carry one."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.header: str | None = None

    def _header(self) -> str:
        if self.header is None:
            report_uri = None
            if getattr(settings, "KASANE_CSP_REPORT", True):
                try:
                    report_uri = reverse("csp_report")
                except NoReverseMatch:
                    report_uri = None
            self.header = policy_header(report_uri)
        return self.header

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self._header())
        return response


def _path(url: object) -> str:
    """The path of a URL, without host, query or fragment: enough to find the page."""
    if not isinstance(url, str):
        return ""
    parts = urlsplit(url)
    if parts.scheme in ("http", "https"):
        return parts.path[:200]
    # "inline", "eval", "data" and the like: a keyword, not an address.
    return (parts.scheme or url)[:40]


@csrf_exempt
@login_not_required
@require_POST
def csp_report(request: HttpRequest) -> HttpResponse:
    """Record a browser's CSP violation report in the application log.

    Unauthenticated by necessity (the browser sends it without a session cookie on some
    pages), so it stores nothing and logs only the directive and two paths, truncated.
    """
    length = int(request.headers.get("Content-Length") or 0)
    if length > MAX_REPORT_BYTES:
        return HttpResponse(status=413)
    try:
        body = json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return HttpResponse(status=400)
    report = body.get("csp-report") if isinstance(body, dict) else None
    if not isinstance(report, dict):
        return HttpResponse(status=400)
    directive = str(report.get("effective-directive") or report.get("violated-directive") or "")
    logger.warning(
        "csp violation directive=%s blocked=%s page=%s",
        directive[:60],
        _path(report.get("blocked-uri")),
        _path(report.get("document-uri")),
    )
    return HttpResponse(status=204)
