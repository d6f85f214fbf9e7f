from assessments.body_chart import MIN_TARGET, VIEWS, shape_value
from assessments.buttock_pain import BUTTOCK_PAIN_V1, BUTTOCK_PAIN_V2


def test_every_region_of_each_side_has_a_shape_a_finger_can_hit():
    values = BUTTOCK_PAIN_V2.item("pain_regions").values
    drawn = {shape_value(shape, values) for view in VIEWS for shape in view.shapes}
    assert drawn == values
    for view in VIEWS:
        for shape in view.shapes:
            assert min(shape.width, shape.height) >= MIN_TARGET, shape
            assert shape.x >= 0 and shape.x + shape.width <= view.width, shape
            assert shape.y >= 0 and shape.y + shape.height <= view.height, shape


def test_no_two_shapes_of_a_view_overlap():
    for view in VIEWS:
        shapes = view.shapes
        for i, a in enumerate(shapes):
            for b in shapes[i + 1 :]:
                apart = (
                    a.x + a.width <= b.x
                    or b.x + b.width <= a.x
                    or a.y + a.height <= b.y
                    or b.y + b.height <= a.y
                )
                assert apart, (a, b)


def test_the_groin_is_on_the_front_view_and_the_buttock_on_the_back():
    back, front = VIEWS
    assert {s.region for s in front.shapes} == {"groin", "leg_below_knee"}
    assert "groin" not in {s.region for s in back.shapes}
    assert "deep_gluteal_piriformis" in {s.region for s in back.shapes}


def test_a_version_without_sides_lights_both_shapes_of_a_region():
    values = BUTTOCK_PAIN_V1.item("pain_regions").values
    back = VIEWS[0]
    piriformis = [s for s in back.shapes if s.region == "deep_gluteal_piriformis"]
    assert {s.side for s in piriformis} == {"left", "right"}
    assert {shape_value(s, values) for s in piriformis} == {"deep_gluteal_piriformis"}
