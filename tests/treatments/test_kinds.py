"""The intervention-kind registry and parameter validation: pure, no database."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from treatments.kinds import (
    CONSENT,
    CONTRAINDICATION_SCREEN,
    EXERCISE_FIELDS,
    EXERCISE_ROW_DEFAULTS,
    RED_FLAGS_CLEAR,
    AlreadyRegistered,
    Choice,
    InterventionKind,
    KindRegistry,
    NotRegistered,
    Param,
    ParamError,
    ParamType,
    defaults,
    kinds,
    validate_params,
)

SECTION_5_CODES = [
    "spinal_mobilization",
    "spinal_manipulation",
    "dry_needling",
    "soft_tissue_therapy",
    "electrotherapy",
    "stretching",
    "core_stability",
    "exercise_programme",
    "education",
]


def _kind(code: str = "shockwave", **extra) -> InterventionKind:
    definition = {
        "code": code,
        "label": "Shockwave therapy",
        "params": (
            Param("pulses", "Pulses", ParamType.INTEGER, min_value=500, max_value=3000),
            Param(
                "pressure_bar",
                "Pressure",
                ParamType.DECIMAL,
                min_value="1.5",
                max_value=5,
                unit="bar",
            ),
            Param("site", "Site", ParamType.TEXT, required=True),
        ),
        "description": "Radial shockwave to the hamstring origin.",
        "defaults": {"pulses": 2000, "site": "ischial tuberosity"},
    }
    return InterventionKind(**{**definition, **extra})


def _error(kind_code: str, params: dict) -> ParamError:
    with pytest.raises(ParamError) as caught:
        validate_params(kind_code, params)
    return caught.value


# --- Registry ---------------------------------------------------------------------------


def test_the_nine_kinds_of_section_5_are_registered_in_order():
    assert kinds.codes() == SECTION_5_CODES
    assert [kind.code for kind in kinds] == SECTION_5_CODES
    assert len(kinds) == 9


def test_preconditions_of_the_built_in_kinds():
    assert kinds.get("dry_needling").preconditions == {
        CONSENT,
        CONTRAINDICATION_SCREEN,
        RED_FLAGS_CLEAR,
    }
    for code in ("spinal_manipulation", "spinal_mobilization"):
        assert kinds.get(code).preconditions == {CONSENT, RED_FLAGS_CLEAR}
    for code in set(SECTION_5_CODES) - {
        "dry_needling",
        "spinal_manipulation",
        "spinal_mobilization",
    }:
        assert kinds.get(code).preconditions == frozenset()


def test_registry_registers_gets_and_iterates_in_registration_order():
    registry = KindRegistry()
    second, first = _kind("zz_second"), _kind("aa_first")
    assert registry.register(second) is second
    registry.register(first)
    assert [kind.code for kind in registry] == ["zz_second", "aa_first"]
    assert registry.get("aa_first") is first
    assert "aa_first" in registry
    assert registry.choices() == [
        ("zz_second", "Shockwave therapy"),
        ("aa_first", "Shockwave therapy"),
    ]


def test_registering_a_code_twice_fails_loudly():
    registry = KindRegistry([_kind()])
    with pytest.raises(AlreadyRegistered, match="'shockwave' is registered"):
        registry.register(_kind())


def test_getting_an_unknown_code_names_it():
    with pytest.raises(NotRegistered, match="'laser'"):
        kinds.get("laser")
    with pytest.raises(NotRegistered, match="'laser'"):
        validate_params("laser", {})
    with pytest.raises(NotRegistered, match="'laser'"):
        defaults("laser")


def test_unregister():
    registry = KindRegistry([_kind()])
    registry.unregister("shockwave")
    assert "shockwave" not in registry
    with pytest.raises(NotRegistered, match="'shockwave'"):
        registry.unregister("shockwave")


def test_register_refuses_what_is_not_a_kind():
    with pytest.raises(TypeError):
        KindRegistry().register("dry_needling")  # type: ignore[arg-type]


def test_a_kind_registered_temporarily_is_found_and_validated_without_other_changes():
    with kinds.temporarily(_kind()) as kind:
        assert kinds.get("shockwave") is kind
        assert "shockwave" in kinds.codes()
        assert validate_params(
            "shockwave", {"pulses": "2500", "pressure_bar": "2.5", "site": " PHT "}
        ) == {
            "pulses": 2500,
            "pressure_bar": 2.5,
            "site": "PHT",
        }
        assert _error("shockwave", {"site": "x", "pulses": 3001}).args == (
            "Pulses must be between 500 and 3000.",
        )
        assert _error("shockwave", {"pulses": 1000}).args == ("Site is required.",)
        assert validate_params("shockwave", defaults("shockwave")) == defaults("shockwave")
    assert "shockwave" not in kinds
    assert kinds.codes() == SECTION_5_CODES


def test_temporarily_unregisters_even_when_the_block_fails():
    with pytest.raises(RuntimeError), kinds.temporarily(_kind()):
        raise RuntimeError
    assert "shockwave" not in kinds


# --- Definitions fail loudly ------------------------------------------------------------


@pytest.mark.parametrize(
    "make",
    [
        lambda: Param("Bad Code", "Bad", ParamType.TEXT),
        lambda: Param("side", "Side", ParamType.CHOICE),
        lambda: Param("notes", "Notes", ParamType.TEXT, choices=(Choice("a", "A"),)),
        lambda: Param(
            "side", "Side", ParamType.CHOICE, choices=(Choice("a", "A"), Choice("a", "B"))
        ),
        lambda: Param("notes", "Notes", ParamType.TEXT, max_value=10),
        lambda: Param("sets", "Sets", ParamType.INTEGER, min_value=5, max_value=1),
        lambda: Param("sets", "Sets", ParamType.INTEGER, min_value=1.5),
        lambda: Param("depth", "Depth", ParamType.DECIMAL, min_value=0.1),
        lambda: _kind(preconditions=frozenset({"consent", "signed_waiver"})),
        lambda: _kind(defaults={"pulses": 10, "site": "x"}),
        lambda: _kind(defaults={"pulses": 1000}),
        lambda: InterventionKind("x", "X", (Param("a", "A", ParamType.TEXT),) * 2),
        lambda: InterventionKind(
            "x",
            "X",
            (Param("a", "A", ParamType.INTEGER, applies_when=("mode", ("on",))),),
        ),
        lambda: InterventionKind(
            "x",
            "X",
            (
                Param("mode", "Mode", ParamType.CHOICE, choices=(Choice("on", "On"),)),
                Param("a", "A", ParamType.INTEGER, applies_when=("mode", ("off",))),
            ),
        ),
    ],
)
def test_invalid_definitions_are_refused(make):
    with pytest.raises(ValueError):
        make()


# --- Every numeric range edge, generated from the schema -------------------------------


# What a param needs from the others to be valid, beyond the required ones.
_NEEDS = {("dry_needling", "adverse_event_severity"): {"adverse_event_type": ["bruising"]}}


def _context(kind: InterventionKind, param: Param) -> dict:
    """Valid values of the other params a param needs: the required ones (from the
    defaults), the choice its applies_when names, and any cross-field need."""
    context = {p.code: kind.defaults[p.code] for p in kind.params if p.required and p is not param}
    if param.applies_when is not None:
        controller, allowed = param.applies_when
        context[controller] = allowed[0]
    return {**context, **_NEEDS.get((kind.code, param.code), {})}


def _step(bound: int | Decimal) -> Decimal:
    """The smallest step at a decimal bound's precision (0.16 → 0.01), at most 1."""
    exponent = Decimal(bound).as_tuple().exponent
    return Decimal(1).scaleb(min(int(exponent), 0))


def _edges(param: Param):
    low, high = param.min_value, param.max_value
    yield "min", low, True
    yield "max", high, True
    yield "min-1", low - 1, False
    yield "max+1", high + 1, False
    if param.type is ParamType.DECIMAL:
        yield "min-step", low - _step(low), False
        yield "max+step", high + _step(high), False


def _numeric_cases():
    for kind in kinds:
        for param in kind.params:
            if param.type in (ParamType.INTEGER, ParamType.DECIMAL):
                for edge, value, accepted in _edges(param):
                    yield pytest.param(
                        kind, param, None, value, accepted, id=f"{kind.code}.{param.code}:{edge}"
                    )
            for row_param in param.row_params:
                if row_param.type in (ParamType.INTEGER, ParamType.DECIMAL):
                    for edge, value, accepted in _edges(row_param):
                        yield pytest.param(
                            kind,
                            param,
                            row_param,
                            value,
                            accepted,
                            id=f"{kind.code}.{param.code}.{row_param.code}:{edge}",
                        )


NUMERIC_CASES = list(_numeric_cases())


def test_every_numeric_param_has_both_bounds():
    assert len(NUMERIC_CASES) > 50
    for case in NUMERIC_CASES:
        _, param, row_param, _, _ = case.values
        target = row_param or param
        assert target.min_value is not None and target.max_value is not None, target.code


def _as_input(param: Param, value: int | Decimal) -> object:
    # Integers go in as ints; decimals as strings, which the forms post.
    return int(value) if param.type is ParamType.INTEGER else str(value)


@pytest.mark.parametrize(("kind", "param", "row_param", "value", "accepted"), NUMERIC_CASES)
def test_numeric_range_edges(kind, param, row_param, value, accepted):
    if row_param is None:
        params = {**_context(kind, param), param.code: _as_input(param, value)}
        target, prefix = param, ""
    else:
        row = {"name": "Bridge", row_param.code: _as_input(row_param, value)}
        params = {param.code: [{"name": "Clam"}, row]}
        target, prefix = row_param, "Exercise 2: "
    if accepted:
        cleaned = validate_params(kind.code, params)
        got = cleaned[param.code] if row_param is None else cleaned[param.code][1][row_param.code]
        assert Decimal(str(got)) == value
        assert type(got) is (int if target.type is ParamType.INTEGER else float)
        return
    error = _error(kind.code, params)
    assert error.param_code == param.code
    expected = f"{target.display_name} must be between {target.min_value} and {target.max_value}."
    if prefix:
        expected = prefix + expected[0].lower() + expected[1:]
        assert (error.row, error.field) == (2, row_param.code)
    assert str(error) == expected


def test_messages_read_as_the_spec_examples():
    assert str(_error("electrotherapy", {"modality": "tens", "frequency_hz": 0})) == (
        "Frequency (Hz) must be between 1 and 250."
    )
    assert str(_error("spinal_mobilization", {"grade": "V"})) == (
        "Choose a Maitland grade: I, II, III or IV."
    )
    assert str(
        _error("core_stability", {"exercises": [{"name": "Clam"}, {"name": "Bridge", "sets": 21}]})
    ) == ("Exercise 2: sets must be between 1 and 20.")
    assert str(_error("dry_needling", {"needle_gauge_mm": "0.4"})) == (
        "Needle gauge (mm) must be between 0.16 and 0.35."
    )


@given(st.integers(min_value=-1000, max_value=1000))
def test_an_integer_is_accepted_exactly_within_its_range(value):
    inside = 1 <= value <= 250
    params = {"modality": "tens", "frequency_hz": value}
    if inside:
        assert validate_params("electrotherapy", params)["frequency_hz"] == value
    else:
        with pytest.raises(ParamError, match=r"^Frequency \(Hz\) must be between 1 and 250\.$"):
            validate_params("electrotherapy", params)


@given(st.decimals(min_value="-1", max_value="1", places=3))
def test_a_decimal_is_accepted_exactly_within_its_range(value):
    params = {"needle_gauge_mm": str(value)}
    if Decimal("0.16") <= value <= Decimal("0.35"):
        assert validate_params("dry_needling", params)["needle_gauge_mm"] == float(value)
    else:
        with pytest.raises(ParamError, match="between 0.16 and 0.35"):
            validate_params("dry_needling", params)


# --- Types --------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [True, False, 20.0, 20.5, "20.5", "twenty", [20], {"s": 20}])
def test_an_integer_param_refuses_bools_floats_and_words(value):
    error = _error("stretching", {"hold_seconds": value})
    assert str(error) == "Hold (s) must be a whole number."
    assert error.param_code == "hold_seconds"


def test_an_integer_param_accepts_a_string_of_digits():
    assert validate_params("stretching", {"hold_seconds": " 45 "}) == {"hold_seconds": 45}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (30, 30.0),
        (30.5, 30.5),
        ("30.5", 30.5),
        (" 40 ", 40.0),
        (Decimal("30.5"), 30.5),
        ("1.5e1", 15.0),
    ],
)
def test_a_decimal_param_accepts_ints_floats_and_numeric_strings(value, expected):
    assert validate_params("dry_needling", {"needle_length_mm": value}) == {
        "needle_length_mm": expected
    }


@pytest.mark.parametrize(
    "value", [True, "abc", "nan", "inf", float("nan"), float("inf"), "1,5", [40]]
)
def test_a_decimal_param_refuses_bools_and_non_numbers(value):
    error = _error("dry_needling", {"needle_length_mm": value})
    assert str(error) == "Needle length (mm) must be a number."


def _choice_cases():
    for kind in kinds:
        for param in kind.params:
            for target in (param, *param.row_params):
                if target.type is ParamType.CHOICE:
                    yield pytest.param(kind, param, target, id=f"{kind.code}.{target.code}")


@pytest.mark.parametrize(("kind", "param", "target"), list(_choice_cases()))
def test_every_choice_is_accepted_and_anything_else_refused(kind, param, target):
    def params_with(value):
        if target is param:
            return {**_context(kind, param), param.code: value}
        return {param.code: [{"name": "Clam", target.code: value}]}

    def cleaned_value(cleaned):
        return cleaned[param.code] if target is param else cleaned[param.code][0][target.code]

    for choice in target.choices:
        assert cleaned_value(validate_params(kind.code, params_with(choice.code))) == choice.code
    for bad in ("not_a_choice", target.choices[0].label.upper() + "!", 1, ["x"]):
        error = _error(kind.code, params_with(bad))
        assert error.param_code == param.code
        assert target.choices[-1].label in str(error)
        assert str(error).startswith("Choose " if target is param else "Exercise 1: choose ")


def test_choice_labels_are_listed_in_the_message():
    assert str(_error("electrotherapy", {"modality": "laser"})) == (
        "Choose a modality: TENS, Interferential (IFC), Ultrasound or Other."
    )
    assert str(
        _error("electrotherapy", {"modality": "ultrasound", "ultrasound_frequency_mhz": "2"})
    ) == ("Choose an ultrasound frequency: 1 MHz or 3 MHz.")


def test_multi_choice_normalises_to_codes_in_schema_order_without_duplicates():
    cleaned = validate_params("education", {"topic": ["sitting", "pain_science", " sitting "]})
    assert cleaned == {"topic": ["pain_science", "sitting"]}


@pytest.mark.parametrize("value", ["sitting", ["sitting", "astrology"], [1], {"sitting": 1}])
def test_multi_choice_refuses_strings_and_unknown_codes(value):
    error = _error("education", {"topic": value})
    assert error.param_code == "topic"
    assert str(error).startswith("Topics: choose one or more of The condition and its prognosis")


@pytest.mark.parametrize(
    ("value", "expected"), [("yes", "yes"), ("no", "no"), (True, "yes"), (False, "no")]
)
def test_yes_no_normalises(value, expected):
    assert validate_params("dry_needling", {"local_twitch_response": value}) == {
        "local_twitch_response": expected
    }


@pytest.mark.parametrize("value", ["maybe", 1, 0, "Yes!"])
def test_yes_no_refuses_other_values(value):
    assert str(_error("dry_needling", {"local_twitch_response": value})) == (
        "Local twitch response: answer yes or no."
    )


def test_text_is_stripped_and_must_be_text():
    assert validate_params("education", {"notes": "  Explained load  "}) == {
        "notes": "Explained load"
    }
    assert str(_error("education", {"notes": 12})) == "Notes must be text."


def test_blank_values_are_left_out():
    assert validate_params("education", {"notes": "   ", "topic": []}) == {}
    assert validate_params("stretching", {"hold_seconds": None, "muscle": ""}) == {}


# --- Unknown and required -----------------------------------------------------------------


def test_an_unknown_param_is_named():
    error = _error("stretching", {"hold_seconds": 30, "colour": "red"})
    assert str(error) == "Unknown parameter 'colour' for Stretching."
    assert error.param_code == "colour"


@pytest.mark.parametrize("blank", [None, "", "  "])
def test_a_required_param_cannot_be_missing(blank):
    assert str(_error("electrotherapy", {"minutes": 20})) == "Modality is required."
    assert _error("electrotherapy", {"modality": blank}).param_code == "modality"
    assert str(_error("spinal_manipulation", {"level": "l4_l5", "grade": blank})) == (
        "Maitland grade is required."
    )


def test_params_must_be_a_mapping():
    with pytest.raises(TypeError):
        validate_params("stretching", [("hold_seconds", 30)])  # type: ignore[arg-type]


# --- Conditional params and cross-field checks --------------------------------------------


def test_electrical_settings_do_not_apply_to_ultrasound_and_back():
    error = _error("electrotherapy", {"modality": "ultrasound", "frequency_hz": 100})
    assert (
        str(error)
        == "Frequency (Hz) applies only when modality is TENS, Interferential (IFC) or Other."
    )
    assert error.param_code == "frequency_hz"
    error = _error("electrotherapy", {"modality": "tens", "intensity_w_cm2": "1.0"})
    assert (
        str(error)
        == "Ultrasound intensity (W/cm²) applies only when modality is Ultrasound or Other."
    )
    cleaned = validate_params(
        "electrotherapy",
        {
            "modality": "ultrasound",
            "ultrasound_frequency_mhz": "3",
            "intensity_w_cm2": "1.5",
            "duty_cycle_percent": 20,
            "minutes": 5,
            "site": "Piriformis",
        },
    )
    assert cleaned["intensity_w_cm2"] == 1.5
    assert cleaned["ultrasound_frequency_mhz"] == "3"


def test_needling_depth_cannot_exceed_the_needle():
    error = _error("dry_needling", {"needle_length_mm": 40, "depth_mm": "40.5"})
    assert error.param_code == "depth_mm"
    assert (
        validate_params("dry_needling", {"needle_length_mm": 40, "depth_mm": 40})["depth_mm"]
        == 40.0
    )


def test_adverse_events_are_consistent():
    assert (
        _error("dry_needling", {"adverse_event_severity": "mild"}).param_code
        == "adverse_event_severity"
    )
    assert (
        _error(
            "dry_needling", {"adverse_event_type": ["none"], "adverse_event_severity": "mild"}
        ).param_code
        == "adverse_event_severity"
    )
    assert (
        _error("dry_needling", {"adverse_event_type": ["none", "bruising"]}).param_code
        == "adverse_event_type"
    )
    assert validate_params(
        "dry_needling",
        {
            "adverse_event_type": ["bruising", "post_needling_soreness"],
            "adverse_event_severity": "mild",
        },
    ) == {
        "adverse_event_type": ["bruising", "post_needling_soreness"],
        "adverse_event_severity": "mild",
    }


# --- Exercise rows (CERT) -------------------------------------------------------------------


def test_exercise_rows_are_validated_and_normalised():
    rows = [
        {
            "name": " Side-lying clam ",
            "sets": 3,
            "reps": 12,
            "load": "red band",
            "frequency": "daily",
            "setting": "home",
        },
        {
            "name": "Bird dog",
            "sets": "2",
            "reps": 8,
            "hold_seconds": 10,
            "setting": "supervised",
            "progression": "Add arm reach",
            "load": "",
        },
    ]
    cleaned = validate_params("exercise_programme", {"exercises": rows})
    assert cleaned == {
        "exercises": [
            {
                "name": "Side-lying clam",
                "sets": 3,
                "reps": 12,
                "load": "red band",
                "frequency": "daily",
                "setting": "home",
            },
            {
                "name": "Bird dog",
                "sets": 2,
                "reps": 8,
                "hold_seconds": 10,
                "setting": "supervised",
                "progression": "Add arm reach",
            },
        ]
    }


@pytest.mark.parametrize(
    ("rows", "message", "field"),
    [
        ([{"name": "Clam"}, {"sets": 3}], "Exercise 2: name is required.", "name"),
        ([{"name": "Clam"}, {"name": " "}], "Exercise 2: name is required.", "name"),
        ([{"name": "Clam", "reps": 0}], "Exercise 1: reps must be between 1 and 100.", "reps"),
        (
            [{"name": "Clam", "hold_seconds": 601}],
            "Exercise 1: hold (s) must be between 0 and 600.",
            "hold_seconds",
        ),
        ([{"name": "Clam", "sets": True}], "Exercise 1: sets must be a whole number.", "sets"),
        ([{"name": "Clam", "tempo": "slow"}], "Exercise 1: unknown field 'tempo'.", "tempo"),
        (
            [{"name": "Clam", "setting": "gym"}],
            "Exercise 1: choose a setting: Home or Supervised.",
            "setting",
        ),
    ],
)
def test_exercise_row_errors_name_the_row(rows, message, field):
    error = _error("core_stability", {"exercises": rows})
    assert str(error) == message
    assert (error.param_code, error.field) == ("exercises", field)
    assert error.row == int(message.split()[1].rstrip(":"))


@pytest.mark.parametrize("value", ["plank", {"name": "plank"}, 3])
def test_exercises_must_be_a_list(value):
    assert (
        str(_error("core_stability", {"exercises": value}))
        == "Exercises must be a list of exercises."
    )


def test_an_exercise_row_must_be_a_mapping():
    error = _error("core_stability", {"exercises": [{"name": "Clam"}, "plank"]})
    assert error.row == 2
    assert str(error).startswith("Exercise 2:")


def test_a_new_exercise_row_prefilled_from_the_row_defaults_is_valid_once_named():
    row = {**EXERCISE_ROW_DEFAULTS, "name": "Glute bridge"}
    assert validate_params("core_stability", {"exercises": [row]}) == {"exercises": [row]}
    assert {param.code for param in EXERCISE_FIELDS} >= set(EXERCISE_ROW_DEFAULTS)


# --- Defaults -------------------------------------------------------------------------------


@pytest.mark.parametrize("code", SECTION_5_CODES)
def test_defaults_validate_against_their_own_schema(code):
    assert validate_params(code, defaults(code)) == defaults(code)


@pytest.mark.parametrize("kind", list(kinds), ids=lambda kind: kind.code)
def test_defaults_of_every_registered_kind_validate(kind):
    # Over the live registry, so a kind added later is covered too.
    assert validate_params(kind.code, defaults(kind.code)) == defaults(kind.code)


def test_documented_defaults():
    assert defaults("stretching") == {"hold_seconds": 30, "repetitions": 3, "per_day": 2}
    assert defaults("electrotherapy") == {
        "modality": "tens",
        "frequency_hz": 100,
        "pulse_width_us": 100,
        "intensity_level": "sensory",
        "minutes": 20,
    }
    assert defaults("soft_tissue_therapy") == {"minutes": 10}
    assert defaults("spinal_manipulation") == {"grade": "V"}


def test_defaults_are_a_fresh_copy():
    first = defaults("stretching")
    first["hold_seconds"] = 999
    assert defaults("stretching")["hold_seconds"] == 30


def test_the_maitland_grades_carry_their_descriptions():
    grade = kinds.get("spinal_mobilization").param("grade")
    assert [choice.code for choice in grade.choices] == ["I", "II", "III", "IV"]
    assert grade.choices[3].help_text == "Small amplitude at the limit of range"
    assert (
        kinds.get("spinal_manipulation").param("grade").choices[0].help_text
        == "High-velocity thrust"
    )
