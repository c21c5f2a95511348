"""Tokens: made and revoked by command, audited, and the only way into the API."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kasane.api.models import ApiToken
from kasane.api.services import token_digest
from kasane.api.tests.conftest import ApiClient, assert_error
from kasane.audit.models import AuditAction, AuditEvent, LegalBasis


def _create(username, *args):
    out, err = io.StringIO(), io.StringIO()
    call_command("create_token", username, *args, stdout=out, stderr=err)
    return out.getvalue().strip(), err.getvalue()


@pytest.mark.django_db
def test_create_token_prints_it_once_and_stores_only_the_digest(caseworker):
    token, notice = _create(caseworker.username, "--name", "地域包括の記録システム")
    scheme, prefix, secret = token.split("_", 2)
    assert scheme == "ksn" and len(secret) >= 40
    record = ApiToken.objects.get()
    assert record.staff == caseworker and record.prefix == prefix
    assert record.name == "地域包括の記録システム"
    assert record.digest == token_digest(token)
    assert secret not in json.dumps([record.prefix, record.name, record.digest])
    assert prefix in notice and secret not in notice
    event = AuditEvent.objects.get(object_type="api_token")
    assert (event.action, event.legal_basis, event.object_id) == (
        AuditAction.CREATE,
        LegalBasis.SYSTEM,
        prefix,
    )
    assert secret not in json.dumps(event.detail)
    assert event.detail["staff"] == caseworker.username


@pytest.mark.django_db
def test_create_token_refuses_unknown_or_inactive_staff(caseworker):
    with pytest.raises(CommandError):
        _create("nobody")
    caseworker.is_active = False
    caseworker.save()
    with pytest.raises(CommandError):
        _create(caseworker.username)
    assert not ApiToken.objects.exists()


@pytest.mark.django_db
def test_token_signs_in_and_revoked_token_is_refused(caseworker):
    token, _notice = _create(caseworker.username)
    client = ApiClient(token)
    response = client.get("/need-types")
    assert response.status_code == 200
    record = ApiToken.objects.get()
    assert record.last_used_at is not None

    out = io.StringIO()
    call_command("revoke_token", record.prefix, stdout=out)
    assert "revoked" in out.getvalue()
    record.refresh_from_db()
    assert record.revoked_at is not None
    event = AuditEvent.objects.filter(object_type="api_token").order_by("-sequence")[0]
    assert (event.action, event.object_id) == (AuditAction.UPDATE, record.prefix)

    body = assert_error(client.get("/need-types"), 401, "unauthorized")
    assert "ksn_" not in body["message"]
    # Revoking again is harmless and not audited twice.
    call_command("revoke_token", token, stdout=io.StringIO())
    assert AuditEvent.objects.filter(object_type="api_token").count() == 2


@pytest.mark.django_db
def test_revoke_unknown_prefix_fails():
    with pytest.raises(CommandError):
        call_command("revoke_token", "deadbeef", stdout=io.StringIO())


@pytest.mark.django_db
@pytest.mark.parametrize(
    "header",
    [None, "Bearer ksn_00000000_not-a-token", "Bearer something-else", "Basic dXNlcjpwYXNz"],
)
def test_no_valid_token_is_401_json(caseworker, household, header):
    client = ApiClient(None, **({"Authorization": header} if header else {}))
    response = client.get(f"/households/{household.public_id}")
    assert_error(response, 401, "unauthorized")
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert not AuditEvent.objects.filter(object_type="household", action="view").exists()


@pytest.mark.django_db
def test_token_of_inactive_staff_is_refused(api, caseworker):
    client = api(caseworker)
    caseworker.is_active = False
    caseworker.save()
    assert_error(client.get("/cases"), 401, "unauthorized")


@pytest.mark.django_db
def test_a_browser_session_is_not_an_api_login(caseworker, login):
    response = login(caseworker).get("/api/v1/cases")
    assert_error(response, 401, "unauthorized")


def test_openapi_is_served_without_the_swagger_page(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    paths = schema["paths"]
    for path in [
        "/api/v1/households",
        "/api/v1/households/{household_id}",
        "/api/v1/persons/{person_id}",
        "/api/v1/persons/search",
        "/api/v1/consultations",
        "/api/v1/cases",
        "/api/v1/cases/{case_id}",
        "/api/v1/cases/{case_id}/notes",
        "/api/v1/referrals",
        "/api/v1/referrals/{referral_id}/accept",
        "/api/v1/referrals/{referral_id}/decline",
        "/api/v1/referrals/{referral_id}/complete",
        "/api/v1/need-types",
        "/api/v1/agencies",
    ]:
        assert path in paths, path
    assert set(paths["/api/v1/persons/search"]) == {"post"}
    assert schema["components"]["securitySchemes"]["StaffToken"]["scheme"] == "bearer"
    # Each body keeps its own schema (two classes of one name would share a component).
    components = schema["components"]["schemas"]
    assert "case_id" in components["ReferralIn"]["required"]
    assert "case_id" not in components["ConsultationReferralIn"]["properties"]
    # Swagger UI would load from a CDN: it is not served.
    assert client.get("/api/v1/docs").status_code == 404


@pytest.mark.django_db
def test_unknown_api_path_is_json_404(api, caseworker):
    assert_error(api(caseworker).get("/no-such-thing"), 404, "not_found")
