"""An exercise row as the patient reads it on their handout: plain words, no codes."""

from collections.abc import Mapping, Sequence
from typing import Any

from .kinds import Param


def _label(param: Param, code: object) -> str:
    return param.choice_label(code) if code in param.values else str(code)


def handout_exercise(row_params: Sequence[Param], row: Mapping[str, Any]) -> dict[str, str]:
    """{"name", "instructions", "dosage", "progression"}: e.g. the dosage "3 sets of 10,
    hold each for 5 seconds, with a red band, daily, at home"."""
    params = {param.code: param for param in row_params}
    parts = []
    sets, reps, hold = row.get("sets"), row.get("reps"), row.get("hold_seconds")
    if sets and reps:
        parts.append(f"{sets} set{'s' if sets != 1 else ''} of {reps}")
    elif reps:
        parts.append(f"{reps} time{'s' if reps != 1 else ''}")
    elif sets:
        parts.append(f"{sets} set{'s' if sets != 1 else ''}")
    if hold:
        parts.append(f"hold {'each ' if reps else ''}for {hold} second{'s' if hold != 1 else ''}")
    if row.get("load") and row["load"] != "bodyweight":
        parts.append(f"with {row['load']}")
    if row.get("frequency"):
        parts.append(_label(params["frequency"], row["frequency"]).lower())
    if row.get("setting") == "home":
        parts.append("at home")
    elif row.get("setting"):
        parts.append("at the clinic")
    return {
        "name": row.get("name", ""),
        "instructions": row.get("instructions", ""),
        "dosage": ", ".join(parts),
        "progression": row.get("progression", ""),
    }
