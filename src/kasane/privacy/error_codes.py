"""The error codes of privacy: the stable ``code`` of its errors, as the API answers them.

Shared codes (used by several apps) are in ``kasane.core.error_codes``.
"""

from django.db.models import TextChoices


class ErrorCode(TextChoices):
    BAD_AGENCY = "bad_agency", "There is no agency with this id"
    BAD_AGENCY_TYPE = "bad_agency_type", "Unknown type of agency"
    NO_AGENCY = "no_agency", "The consent names no agency or type"
    NO_PURPOSE = "no_purpose", "The consent names no purpose"
    BAD_PURPOSE = "bad_purpose", "Unknown purpose"
    BAD_METHOD = "bad_method", "Unknown way of giving consent"
    PROXY_REQUIRED = "proxy_required", "A consent by proxy names the proxy and the relation"
    CHILD_NEEDS_PROXY = "child_needs_proxy", "A child's consent is given by a proxy"
    FUTURE = "consent_in_future", "The consent is dated in the future"
    EXPIRES_BEFORE = "expires_before_obtained", "The consent expires before it was obtained"
    ALREADY_WITHDRAWN = "already_withdrawn", "The consent was already withdrawn"
    NOTHING_TO_WITHDRAW = "nothing_to_withdraw", "Nothing chosen to withdraw"
    CONSENTER_REQUIRED = "consenter_required", "Say which member consented"
    CONSENTER_NOT_MEMBER = "consenter_not_member", "The one who consented is not a member"
