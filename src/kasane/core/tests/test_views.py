"""Pages of no single domain: health check, error pages, home, language, request ids."""

from __future__ import annotations

import re
from unittest import mock

import pytest
from django.db import OperationalError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from kasane.accounts.models import Staff
from kasane.audit.models import AuditAction, AuditEvent
from kasane.conftest import PASSWORD
from kasane.core.tests.urls_errors import SECRET

# --- health check ------------------------------------------------------------------------


@pytest.mark.django_db
def test_healthz_answers_200_when_the_database_does() -> None:
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_answers_head_for_load_balancers() -> None:
    assert Client().head("/healthz").status_code == 200


@pytest.mark.django_db
def test_healthz_is_not_redirected_to_https(settings) -> None:
    """Behind KASANE_SECURE every page moves to HTTPS, but the load balancer's plain-HTTP
    probe of the health check must get its answer, not a redirect."""
    settings.SECURE_SSL_REDIRECT = True
    assert Client().get("/healthz").status_code == 200
    assert Client().get("/accounts/login/").status_code == 301


@pytest.mark.django_db
def test_healthz_refuses_post() -> None:
    assert Client().post("/healthz").status_code == 405


@pytest.mark.django_db
def test_healthz_answers_503_when_the_database_does_not() -> None:
    with mock.patch("kasane.core.views.connection") as connection:
        connection.cursor.side_effect = OperationalError("could not connect to 10.0.0.5")
        response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "unreachable"}
    # The load balancer's log is no place for the database's address.
    assert b"10.0.0.5" not in response.content


@pytest.mark.django_db
def test_healthz_answers_503_when_the_query_fails() -> None:
    with mock.patch("kasane.core.views.connection") as connection:
        cursor = connection.cursor.return_value.__enter__.return_value
        cursor.execute.side_effect = OperationalError("server closed the connection")
        response = Client().get("/healthz")
    assert response.status_code == 503


# --- error pages -------------------------------------------------------------------------


def ja(text: str) -> str:
    with translation.override("ja"):
        return translation.gettext(text)


def assert_plain_error_page(html: str, status: int, title: str) -> None:
    assert '<html lang="ja">' in html
    assert f"<h1>{ja(title)}</h1>" in html
    assert f"{ja('Error')} {status}" in html
    assert "Traceback" not in html
    assert SECRET not in html
    assert "test-errors" not in html
    assert "csrfmiddlewaretoken" not in html


def test_404_is_the_plain_error_page_without_the_path(caseworker: Staff, login) -> None:
    response = login(caseworker).get("/registry/households/草野ミツ/?q=1946-08-03")
    assert response.status_code == 404
    html = response.content.decode()
    assert_plain_error_page(html, 404, "Page not found")
    assert "草野" not in html
    assert "1946" not in html


@pytest.mark.django_db
def test_404_for_anonymous_visitors_too() -> None:
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    assert_plain_error_page(response.content.decode(), 404, "Page not found")


def test_404_from_a_view(caseworker: Staff, login) -> None:
    response = login(caseworker).get(reverse("core:function_pending", args=["nothing"]))
    assert response.status_code == 404
    assert_plain_error_page(response.content.decode(), 404, "Page not found")


@pytest.mark.urls("kasane.core.tests.urls_errors")
def test_500_is_the_plain_error_page_without_the_error(caseworker: Staff) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(caseworker)
    response = client.get("/test-errors/explode/?person=草野ミツ")
    assert response.status_code == 500
    html = response.content.decode()
    assert_plain_error_page(html, 500, "Something went wrong")
    assert "RuntimeError" not in html
    assert "草野" not in html
    # Nothing of the signed-in user either: the page is rendered without the request.
    assert caseworker.username not in html
    assert str(caseworker.agency) not in html


@pytest.mark.urls("kasane.core.tests.urls_errors")
@pytest.mark.django_db
def test_500_for_anonymous_visitors() -> None:
    response = Client(raise_request_exception=False).get("/test-errors/explode-anonymous/")
    assert response.status_code == 500
    assert_plain_error_page(response.content.decode(), 500, "Something went wrong")


@pytest.mark.urls("kasane.core.tests.urls_errors")
def test_403_is_the_plain_error_page(caseworker: Staff, login) -> None:
    response = login(caseworker).get("/test-errors/forbid/")
    assert response.status_code == 403
    assert_plain_error_page(response.content.decode(), 403, "Not permitted")


@pytest.mark.urls("kasane.core.tests.urls_errors")
@pytest.mark.django_db
def test_400_is_the_plain_error_page() -> None:
    response = Client().get("/test-errors/suspicious/")
    assert response.status_code == 400
    assert_plain_error_page(response.content.decode(), 400, "Bad request")


JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


@pytest.mark.urls("kasane.core.tests.urls_errors")
@pytest.mark.django_db
def test_error_and_login_pages_are_written_in_japanese() -> None:
    client = Client(raise_request_exception=False)
    for url in ["/no-such-page/", "/test-errors/explode-anonymous/", "/accounts/login/"]:
        h1 = re.search(r"<h1>(.*?)</h1>", client.get(url).content.decode())
        assert h1 is not None, url
        assert JAPANESE.search(h1.group(1)), (url, h1.group(1))


def test_error_page_follows_the_chosen_language(caseworker: Staff, login) -> None:
    client = login(caseworker)
    client.post("/i18n/setlang/", {"language": "en"})
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert '<html lang="en">' in response.content.decode()
    assert "<h1>Page not found</h1>" in response.content.decode()


# --- home and the functions not built yet -------------------------------------------------


@pytest.mark.parametrize("who", ["caseworker", "outsider", "auditor", "analyst", "admin_user"])
def test_home_renders_for_every_role(who: str, request, login) -> None:
    staff: Staff = request.getfixturevalue(who)
    response = login(staff).get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="who"' in html
    assert reverse("accounts:logout") in html


def test_home_links_each_role_to_its_own_tools(
    caseworker: Staff, auditor: Staff, analyst: Staff, admin_user: Staff, login
) -> None:
    search = reverse("registry:person_search")
    audit = reverse("audit:audit_log")
    admin_index = reverse("admin:index")

    worker_home = login(caseworker).get("/").content.decode()
    assert search in worker_home
    assert audit not in worker_home and admin_index not in worker_home

    auditor_home = login(auditor).get("/").content.decode()
    assert audit in auditor_home
    assert search not in auditor_home and admin_index not in auditor_home

    analyst_home = login(analyst).get("/").content.decode()
    assert search not in analyst_home
    assert audit not in analyst_home and admin_index not in analyst_home

    admin_home = login(admin_user).get("/").content.decode()
    assert admin_index in admin_home
    assert search not in admin_home and audit not in admin_home


def test_a_function_not_built_yet_says_so(caseworker: Staff, login, monkeypatch) -> None:
    # A function of its own, so the test outlives the functions being built one by one.
    from kasane.core import functions

    first = functions.FUNCTIONS[0]
    pending = functions.ProgramFunction("future", first.title, first.summary, "#99")
    monkeypatch.setitem(functions.FUNCTIONS_BY_SLUG, "future", pending)
    response = login(caseworker).get(reverse("core:function_pending", args=["future"]))
    assert response.status_code == 200
    assert response.context["function"].slug == "future"


def test_a_built_function_redirects_to_its_page(caseworker: Staff, login) -> None:
    response = login(caseworker).get(reverse("core:function_pending", args=["intake"]))
    assert response.status_code == 302
    assert response["Location"] == reverse("intake:start")


# --- language ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_switching_to_english_and_back() -> None:
    client = Client()
    assert '<html lang="ja">' in client.get("/accounts/login/").content.decode()

    response = client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    html = client.get("/accounts/login/").content.decode()
    assert '<html lang="en">' in html
    assert "Sign in to Kasane" in html

    client.post("/i18n/setlang/", {"language": "ja"})
    assert '<html lang="ja">' in client.get("/accounts/login/").content.decode()


@pytest.mark.django_db
def test_unknown_language_is_ignored() -> None:
    client = Client()
    client.post("/i18n/setlang/", {"language": "xx"})
    assert '<html lang="ja">' in client.get("/accounts/login/").content.decode()


@pytest.mark.django_db
def test_language_switch_does_not_redirect_off_site() -> None:
    response = Client().post("/i18n/setlang/", {"language": "en", "next": "https://evil.example/"})
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]


def test_english_stays_after_signing_in(caseworker: Staff) -> None:
    client = Client()
    client.post("/i18n/setlang/", {"language": "en"})
    client.post("/accounts/login/", {"username": "houkatsu", "password": PASSWORD})
    assert '<html lang="en">' in client.get("/").content.decode()


# --- request ids -------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_request_id_is_given_to_every_response() -> None:
    first = Client().get("/accounts/login/")["X-Request-ID"]
    second = Client().get("/accounts/login/")["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", first)
    assert first != second


@pytest.mark.django_db
def test_an_upstream_request_id_is_kept() -> None:
    response = Client().get("/accounts/login/", HTTP_X_REQUEST_ID="proxy-req-0123456789")
    assert response["X-Request-ID"] == "proxy-req-0123456789"


@pytest.mark.parametrize(
    "forged", ["short", "x" * 65, "id with spaces", "a\nb-injected-line", "<script>id</script>"]
)
@pytest.mark.django_db
def test_a_malformed_request_id_is_replaced(forged: str) -> None:
    response = Client().get("/accounts/login/", HTTP_X_REQUEST_ID=forged)
    assert response["X-Request-ID"] != forged
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


def test_audit_events_carry_the_request_id(caseworker: Staff) -> None:
    response = Client().post(
        "/accounts/login/",
        {"username": "houkatsu", "password": PASSWORD},
        HTTP_X_REQUEST_ID="lb-4f2a9c1e7d",
    )
    assert response["X-Request-ID"] == "lb-4f2a9c1e7d"
    event = AuditEvent.objects.get(action=AuditAction.LOGIN)
    assert event.request_id == "lb-4f2a9c1e7d"
