import pytest

from assessments import measures
from assessments.measures import (
    Measure,
    MeasureError,
    MeasureItem,
    MeasureRegistry,
    NotRegistered,
    odi_band,
    score,
    validate,
    verdict,
)
from assessments.registry import AlreadyRegistered


def odi_answers(*values: int | None) -> dict[str, int | None]:
    return {f"odi_{n}": value for n, value in enumerate(values, start=1)}


def lefs_answers(value: int = 2) -> dict[str, int]:
    return {f"lefs_{n}": value for n in range(1, 21)}


def test_builtin_measures_are_registered():
    assert [m.code for m in measures.registry] == ["nprs", "odi", "lefs", "psfs", "grc"]


def test_a_fresh_registry_refuses_duplicates_and_unknown_codes():
    registry = MeasureRegistry()
    koos = Measure(
        code="koos",
        title="KOOS",
        items=(MeasureItem("koos_1", "Item 1", 0, 4),),
        min_value=0,
        max_value=4,
        unit="points",
        higher_is_better=True,
        important_change=1,
        important_change_percent=None,
        scoring_version="1",
        score_fn=lambda answers: answers["koos_1"],
    )
    registry.register(koos)

    with pytest.raises(AlreadyRegistered):
        registry.register(koos)
    assert registry.get("koos") is koos
    registry.unregister("koos")
    with pytest.raises(NotRegistered) as caught:
        registry.get("koos")
    assert caught.value.item_code == "koos"  # a MeasureError, shown on its item
    with pytest.raises(NotRegistered):
        registry.unregister("koos")
    assert "koos" not in measures.registry


def test_unknown_measure_code_is_a_value_error():
    with pytest.raises(ValueError, match="koos"):
        score("koos", {})


# NPRS


def test_nprs_scores_the_rating_at_both_ends():
    assert score("nprs", {"nprs": 0}).value == 0
    result = score("nprs", {"nprs": 10})
    assert (result.value, result.unit, result.missing_items) == (10, "points", 0)
    assert result.scoring_version == "1"
    assert result.raw == {"nprs": 10}
    assert result.measure_code == "nprs"


@pytest.mark.parametrize("value", [-1, 11, True, False, 5.0, "5"])
def test_nprs_rejects_out_of_range_and_wrong_types(value):
    with pytest.raises(MeasureError) as error:
        score("nprs", {"nprs": value})

    assert error.value.item_code == "nprs"
    assert "nprs" in str(error.value)


def test_nprs_needs_its_rating():
    with pytest.raises(MeasureError, match="nprs"):
        score("nprs", {})


# ODI


def test_odi_all_sections():
    result = score("odi", odi_answers(5, 5, 5, 5, 5, 5, 5, 5, 5, 5))
    assert (result.value, result.unit, result.missing_items) == (100.0, "%", 0)
    assert score("odi", odi_answers(0, 0, 0, 0, 0, 0, 0, 0, 0, 0)).value == 0.0
    assert score("odi", odi_answers(1, 2, 3, 1, 2, 3, 1, 2, 3, 2)).value == 40.0


def test_odi_a_missing_section_lowers_the_denominator_by_5():
    # Spec example: 16/45 -> 35.6%.
    result = score("odi", odi_answers(2, 2, 2, 2, 2, 2, 2, 1, 1))

    assert result.value == 35.6
    assert result.missing_items == 1


def test_odi_two_missing_sections_are_allowed_none_counts_as_missing():
    result = score("odi", odi_answers(1, 1, 1, 1, None, 1, 1, 1, 1))

    assert result.value == 20.0
    assert result.missing_items == 2
    assert "odi_5" not in result.raw


def test_odi_three_missing_sections_is_an_error_naming_the_section():
    with pytest.raises(MeasureError) as error:
        score("odi", odi_answers(1, 1, 1, 1, 1, 1, 1))

    assert error.value.item_code == "odi_8"
    assert "odi_8" in str(error.value)


@pytest.mark.parametrize("value", [6, -1, True, 2.5])
def test_odi_rejects_bad_section_scores(value):
    with pytest.raises(MeasureError) as error:
        score("odi", {**odi_answers(1, 1, 1, 1, 1, 1, 1, 1, 1, 1), "odi_4": value})

    assert error.value.item_code == "odi_4"
    assert "odi_4" in str(error.value)


def test_odi_unknown_item_is_named():
    with pytest.raises(MeasureError) as error:
        score("odi", {**odi_answers(1, 1, 1, 1, 1, 1, 1, 1, 1, 1), "odi_11": 1})

    assert error.value.item_code == "odi_11"


def test_odi_items_are_section_titles_only():
    labels = [item.label for item in measures.registry.get("odi").items]

    assert labels[0] == "Section 1: Pain intensity"
    assert labels[-1] == "Section 10: Travelling"


@pytest.mark.parametrize(
    ("percent", "band"),
    [
        (0, "minimal disability"),
        (20, "minimal disability"),
        (20.5, "moderate disability"),
        (21, "moderate disability"),
        (40, "moderate disability"),
        (40.1, "severe disability"),
        (60, "severe disability"),
        (61, "crippled"),
        (80, "crippled"),
        (80.1, "bed-bound"),
        (100, "bed-bound"),
    ],
)
def test_odi_band_fairbank(percent, band):
    assert odi_band(percent) == band


@pytest.mark.parametrize("percent", [-0.1, 100.1, True, "20"])
def test_odi_band_rejects_impossible_scores(percent):
    with pytest.raises(MeasureError):
        odi_band(percent)


# LEFS


def test_lefs_sums_all_20_items():
    assert score("lefs", lefs_answers(0)).value == 0
    assert score("lefs", lefs_answers(4)).value == 80
    assert score("lefs", {**lefs_answers(2), "lefs_20": 3}).value == 41


def test_lefs_needs_all_20_items():
    answers = lefs_answers()
    del answers["lefs_7"]

    with pytest.raises(MeasureError) as error:
        score("lefs", answers)

    assert error.value.item_code == "lefs_7"


@pytest.mark.parametrize("value", [5, -1, False])
def test_lefs_rejects_bad_items(value):
    with pytest.raises(MeasureError) as error:
        score("lefs", {**lefs_answers(), "lefs_3": value})

    assert error.value.item_code == "lefs_3"


def test_lefs_items_carry_no_question_text():
    labels = [item.label for item in measures.registry.get("lefs").items]

    assert labels == [f"Item {n}" for n in range(1, 21)]


# PSFS


def test_psfs_is_the_mean_of_the_answered_activities_to_2_decimals():
    result = score(
        "psfs",
        {"psfs_1": 3, "psfs_2": 4, "psfs_3": 0, "psfs_1_activity": "running", "psfs_4": None},
    )

    assert result.value == 2.33
    assert result.missing_items == 2
    assert result.raw == {"psfs_1": 3, "psfs_2": 4, "psfs_3": 0, "psfs_1_activity": "running"}


def test_psfs_one_activity_is_enough():
    assert score("psfs", {"psfs_5": 10}).value == 10.0


def test_psfs_needs_at_least_one_activity_score():
    with pytest.raises(MeasureError) as error:
        score("psfs", {"psfs_1_activity": "running"})

    assert error.value.item_code == "psfs_1"


@pytest.mark.parametrize(
    ("item", "value"), [("psfs_2", 11), ("psfs_2", True), ("psfs_2_activity", 3)]
)
def test_psfs_rejects_bad_answers(item, value):
    with pytest.raises(MeasureError) as error:
        score("psfs", {"psfs_1": 5, item: value})

    assert error.value.item_code == item


# GRC


@pytest.mark.parametrize("value", [-7, 0, 7])
def test_grc_is_the_rating(value):
    assert score("grc", {"grc": value}).value == value


@pytest.mark.parametrize("value", [-8, 8, True])
def test_grc_rejects_bad_ratings(value):
    with pytest.raises(MeasureError, match="grc"):
        score("grc", {"grc": value})


def test_validate_returns_normalised_answers_and_raises_like_score():
    assert validate("psfs", {"psfs_1": 5, "psfs_2": None}) == {"psfs_1": 5}
    with pytest.raises(MeasureError, match="odi_1"):
        validate("odi", {"odi_1": 9})
    with pytest.raises(MeasureError):
        validate("odi", [("odi_1", 1)])  # type: ignore[arg-type]


# Verdicts: improvement or worsening reaches the absolute OR the percentage threshold.

IMPROVED = measures.IMPORTANT_IMPROVEMENT
SAME = measures.NO_IMPORTANT_CHANGE
WORSE = measures.WORSE


@pytest.mark.parametrize(
    ("code", "baseline", "latest", "expected"),
    [
        # NPRS: 2 points or 30%, lower is better.
        ("nprs", 8, 6, IMPROVED),
        ("nprs", 8, 7, SAME),
        ("nprs", 3, 2, IMPROVED),  # 1 point is 33% of 3
        ("nprs", 10, 7, IMPROVED),
        ("nprs", 5, 4, SAME),  # 20% and 1 point
        ("nprs", 5, 7, WORSE),
        ("nprs", 5, 6, SAME),
        ("nprs", 0, 1, SAME),  # no percentage of a zero baseline
        ("nprs", 0, 2, WORSE),
        ("nprs", 4, 4, SAME),
        # ODI: 10 points or 30%, lower is better.
        ("odi", 40, 30, IMPROVED),
        ("odi", 40, 31, SAME),
        ("odi", 20, 14, IMPROVED),  # exactly 30%
        ("odi", 20, 14.1, SAME),
        ("odi", 40, 50, WORSE),
        ("odi", 40, 49, SAME),
        ("odi", 20, 26, WORSE),
        ("odi", 30, 21, IMPROVED),  # 9 points is 30% of 30
        ("odi", 30, 21.1, SAME),
        # LEFS: 9 points, higher is better.
        ("lefs", 40, 49, IMPROVED),
        ("lefs", 40, 48, SAME),
        ("lefs", 40, 31, WORSE),
        ("lefs", 40, 32, SAME),
        # PSFS: 2 points on the mean, higher is better.
        ("psfs", 4, 6, IMPROVED),
        ("psfs", 4, 5.8, SAME),
        ("psfs", 4.33, 6.33, IMPROVED),
        ("psfs", 4, 2, WORSE),
        ("psfs", 4, 2.2, SAME),
    ],
)
def test_verdict_at_the_threshold_edges(code, baseline, latest, expected):
    assert verdict(code, baseline, latest) == expected


@pytest.mark.parametrize(
    ("latest", "expected"),
    [(3, IMPROVED), (7, IMPROVED), (2, SAME), (0, SAME), (-2, SAME), (-3, WORSE), (-7, WORSE)],
)
def test_grc_verdict_is_the_single_rating(latest, expected):
    assert verdict("grc", None, latest) == expected


@pytest.mark.parametrize(
    ("code", "baseline", "latest"),
    [("nprs", None, 3), ("nprs", 11, 3), ("odi", 20, True), ("lefs", 40, "49"), ("grc", None, 8)],
)
def test_verdict_rejects_impossible_scores(code, baseline, latest):
    with pytest.raises(MeasureError, match=code):
        verdict(code, baseline, latest)
