"""The registry of computed indicators: ``@computation("code", ...)`` registers a function
``(scope) -> Result`` counting what happened in a ``Scope``: one 年度 (April to March), or one
month of it, perhaps narrowed to an area (圏域, 中学校区 or 町丁目, by the household's address,
or by the record's own area for places, outreach targets and unmet needs) and a domain (分野,
by the consultations' domains).

A computation declares which narrowings it honours (``filters``); the dashboard says so
beside those that ignore one, rather than show a city-wide figure as if it were an area's.

Every computation is a count over records in a few aggregate queries, as many however many
records there are; none walks through persons one by one, and none returns a name or a case
number: breakdown keys are codes, or the names of agencies and areas.

The computations live by project in the modules below; importing this package registers
them all.
"""

from kasane.evaluation.computations import (  # noqa: F401  (registers the computations)
    cases,
    community,
    consultations,
    outreach,
    participation,
    plans,
)
from kasane.evaluation.computations.base import (
    AREA,
    DOMAIN,
    REGISTRY,
    Computation,
    Compute,
    Result,
    Scope,
    computation,
    compute,
    year_span,
)

__all__ = [
    "AREA",
    "DOMAIN",
    "REGISTRY",
    "Computation",
    "Compute",
    "Result",
    "Scope",
    "computation",
    "compute",
    "year_span",
]
