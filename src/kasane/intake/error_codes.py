"""The error codes of intake: the stable ``code`` of its errors, as the API answers them.

Shared codes (used by several apps) are in ``kasane.core.error_codes``.
"""

from django.db.models import TextChoices


class ErrorCode(TextChoices):
    AMBIGUOUS_SUBJECT = "ambiguous_subject", "Both a known household and a new household were sent"
    BAD_DOMAIN = "bad_domain", "A domain is not one of the choices"
    MAIN_NEED_NOT_IN_NEEDS = "main_need_not_in_needs", "The main complaint is not one of the needs"
    MAIN_NEED_REQUIRED = "main_need_required", "The main complaint is missing"
    NEEDS_REQUIRED = "needs_required", "No need was chosen"
    NO_SUBJECT = "no_subject", "No household or person concerned was given"
    PERSON_NOT_IN_HOUSEHOLD = (
        "person_not_in_household",
        "A person concerned is not a current member of the household",
    )
    REFERRAL_REQUIRED = "referral_required", "The agency referred to is missing"
    REFERRAL_WITHOUT_OUTCOME = (
        "referral_without_outcome",
        "A referral needs the outcome 'referred to another agency'",
    )
    SUMMARY_REQUIRED = "summary_required", "The summary of the consultation is missing"
    TWO_HOUSEHOLDS = "two_households", "Both a registered household and a new one were given"
    UNKNOWN_NEED = "unknown_need", "A need code is unknown or inactive"
