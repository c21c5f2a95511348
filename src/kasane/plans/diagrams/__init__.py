"""ジェノグラム and エコマップ: the family and the support network of a case, drawn as SVG.

Both are drawn from what is recorded — household members, family relations, dates of birth
and death, the case's team and referrals — never by hand, so the assessment page and its A4
printout always agree with the registry. Building (``build_*``, from model instances) is kept
apart from drawing (``render_*``, from plain dataclasses), so the drawing is testable without
a database.

These functions do not check access: the caller has already fetched the case through
``kasane.privacy``, and every name drawn belongs to that case's household or team.
"""

from kasane.plans.diagrams.ecomap import (
    EcomapCentre,
    Tie,
    TieKind,
    TieStrength,
    build_centre,
    build_ties,
    ecomap_svg,
    render_ecomap,
)
from kasane.plans.diagrams.genogram import genogram_svg, render_genogram
from kasane.plans.diagrams.genogram_data import Family, Genogram, GenogramNode, build_genogram
from kasane.plans.diagrams.genogram_layout import layout_genogram

__all__ = [
    "EcomapCentre",
    "Family",
    "Genogram",
    "GenogramNode",
    "Tie",
    "TieKind",
    "TieStrength",
    "build_centre",
    "build_genogram",
    "build_ties",
    "ecomap_svg",
    "genogram_svg",
    "layout_genogram",
    "render_ecomap",
    "render_genogram",
]
