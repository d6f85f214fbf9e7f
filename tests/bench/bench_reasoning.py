"""`make bench`: the pure reasoning and scoring APIs, 10,000 calls each (target: < 1 s)."""

import time

from assessments import measures, reasoning

EXAMPLE_1 = {
    "pain_side": "right",
    "pain_regions": ["ischial_tuberosity"],
    "pain_quality": "precise_localized",
    "pain_constancy": "constant",
    "aggravating": ["sitting", "lunging_squatting"],
    "sitting_tolerance_minutes": 20,
    "low_back_pain": "no",
    "tender_ischial_tuberosity": "yes",
    "test_puranen_orava": "positive",
    "test_modified_bent_knee_stretch": "positive",
    "test_slump": "negative",
}
ODI = {f"odi_{n}": n % 6 for n in range(1, 11)}
CALLS = 10_000


def _time(call) -> float:
    started = time.perf_counter()
    for _ in range(CALLS):
        call()
    return time.perf_counter() - started


def test_suggest_10000_calls_under_a_second():
    seconds = _time(lambda: reasoning.suggest(EXAMPLE_1))
    print(f"\nreasoning.suggest x {CALLS}: {seconds:.3f} s ({seconds / CALLS * 1e6:.1f} µs/call)")
    assert seconds < 1.0


def test_score_10000_calls_under_a_second():
    seconds = _time(lambda: measures.score("odi", ODI))
    print(
        f"\nmeasures.score('odi') x {CALLS}: {seconds:.3f} s ({seconds / CALLS * 1e6:.1f} µs/call)"
    )
    assert seconds < 1.0
