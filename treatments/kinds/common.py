"""Parameters and choices several kinds share."""

from .schema import Choice, Param, ParamType

# Codes match the findings of section 2 of the spec where they overlap (lumbar levels,
# muscles), so a suggestion can pre-fill an intervention from what was found.

LEVEL = Param(
    "level",
    "Level",
    ParamType.CHOICE,
    choices=(
        Choice("l1_l2", "L1/2"),
        Choice("l2_l3", "L2/3"),
        Choice("l3_l4", "L3/4"),
        Choice("l4_l5", "L4/5"),
        Choice("l5_s1", "L5/S1"),
        Choice("sij", "Sacroiliac joint"),
    ),
)
SPINAL_SIDE = Param(
    "side",
    "Side",
    ParamType.CHOICE,
    choices=(
        Choice("left", "Left"),
        Choice("right", "Right"),
        Choice("central", "Central"),
        Choice("bilateral", "Bilateral"),
    ),
)
MUSCLE_SIDE = Param(
    "side",
    "Side",
    ParamType.CHOICE,
    choices=(Choice("left", "Left"), Choice("right", "Right"), Choice("bilateral", "Both")),
)
RESPONSE = Param(
    "response",
    "Response",
    ParamType.TEXT,
    help_text="Change in pain, range or symptoms after treatment, e.g. “pain 6/10 → 3/10”.",
)
MUSCLES = (
    Choice("piriformis", "Piriformis"),
    Choice("gluteus_maximus", "Gluteus maximus"),
    Choice("gluteus_medius", "Gluteus medius"),
    Choice("gluteus_minimus", "Gluteus minimus"),
    Choice("tensor_fasciae_latae", "Tensor fasciae latae"),
    Choice("quadratus_lumborum", "Quadratus lumborum"),
    Choice("lumbar_paraspinals", "Lumbar paraspinals"),
    Choice("hip_flexors", "Hip flexors"),
    Choice("hamstrings", "Hamstrings"),
    Choice("other", "Other"),
)

# Maitland grades as worded in section 5 of the spec.
MAITLAND_GRADES = (
    Choice("I", "I", "Small amplitude early in range"),
    Choice("II", "II", "Large amplitude short of resistance"),
    Choice("III", "III", "Large amplitude to the limit of range"),
    Choice("IV", "IV", "Small amplitude at the limit of range"),
)
GRADE_V = Choice("V", "V", "High-velocity thrust")


EXERCISES = Param(
    "exercises",
    "Exercises",
    ParamType.EXERCISES,
    help_text="Each with sets, reps, hold, load, frequency, setting and progression (CERT).",
)
