"""Models of the participation app (issue #5).

The catalogue of places to take part (``catalogue``, shaped after Open Referral HSDS 3.0),
and matching, follow-ups, loneliness scores and unmet needs (``matching``).
"""

from kasane.participation.models.catalogue import (
    STALE_AFTER_MONTHS,
    AccessibilityFeature,
    Language,
    Opportunity,
    OpportunityKind,
    OpportunityKindLink,
    OpportunityStatus,
    Resource,
    Schedule,
    ScheduleFrequency,
    Welcome,
    stale_before,
)
from kasane.participation.models.matching import (
    MATCH_STAGE_ORDER,
    AgeBand,
    FollowUp,
    LonelinessAnswer,
    LonelinessScore,
    Match,
    MatchEndReason,
    MatchStage,
    MatchStageChange,
    UnmetNeed,
)

__all__ = [
    "MATCH_STAGE_ORDER",
    "STALE_AFTER_MONTHS",
    "AccessibilityFeature",
    "AgeBand",
    "FollowUp",
    "Language",
    "LonelinessAnswer",
    "LonelinessScore",
    "Match",
    "MatchEndReason",
    "MatchStage",
    "MatchStageChange",
    "Opportunity",
    "OpportunityKind",
    "OpportunityKindLink",
    "OpportunityStatus",
    "Resource",
    "Schedule",
    "ScheduleFrequency",
    "UnmetNeed",
    "Welcome",
    "stale_before",
]
