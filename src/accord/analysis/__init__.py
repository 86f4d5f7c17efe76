"""The living record of a negotiation, computed from the store: provision histories, the stance
matrix, the timeline of events and digests of what changed. Read-only over ``Store``'s queries."""

from accord.analysis.changes import (
    ChangeDigest,
    FigureChange,
    NewActor,
    ProvisionChange,
    StanceShift,
    change_digest,
)
from accord.analysis.matrix import (
    Cell,
    Evidence,
    StanceMatrix,
    StanceMove,
    stance_evidence,
    stance_matrix,
)
from accord.analysis.sources import Source, format_figure, version_names
from accord.analysis.timeline import TimelineEvent, timeline
from accord.analysis.tracker import (
    FigurePoint,
    PlanStep,
    ProvisionHistory,
    StatusPoint,
    classify_status,
    plan_steps,
    plan_versions,
    provision_tracker,
)

__all__ = [
    "Cell", "ChangeDigest", "Evidence", "FigureChange", "FigurePoint", "NewActor", "PlanStep",
    "ProvisionChange", "ProvisionHistory", "Source", "StanceMatrix", "StanceMove", "StanceShift",
    "StatusPoint", "TimelineEvent", "change_digest", "classify_status", "format_figure",
    "plan_steps", "plan_versions", "provision_tracker", "stance_evidence", "stance_matrix",
    "timeline", "version_names",
]
