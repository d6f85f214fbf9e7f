"""The body chart's drawing: a back and a front view, each region of each side a shape.

Pure data. Shapes are given for the patient's right side and mirrored for the left; a
view seen from behind has the patient's right on the viewer's right, a front view on
the viewer's left. Every shape is at least 44 by 44 units, and the views are drawn one
unit to one CSS pixel, so each is a 44-pixel touch target. A shape stands for the
template's value of its region on its side (``deep_gluteal_piriformis_right``), or for
the region alone in a version that records no side (version 1 of buttock pain: both
sides then light together).
"""

from collections.abc import Collection
from dataclasses import dataclass

from .buttock_pain import MIDLINE_REGIONS

MIN_TARGET = 44


@dataclass(frozen=True)
class Box:
    region: str
    short_label: str
    x: int
    y: int
    width: int
    height: int


@dataclass(frozen=True)
class Shape:
    region: str
    side: str  # "left", "right" or "midline"
    short_label: str
    x: int
    y: int
    width: int
    height: int

    @property
    def label_x(self) -> float:
        return self.x + self.width / 2

    @property
    def label_y(self) -> float:
        return self.y + self.height / 2


@dataclass(frozen=True)
class View:
    code: str
    title: str
    width: int
    height: int
    outline: str  # an SVG path
    shapes: tuple[Shape, ...]
    right_on_viewer_right: bool

    def side_x(self, side: str) -> int:
        """Where the view's "Left" and "Right" captions go."""
        on_right = (side == "right") == self.right_on_viewer_right
        return self.width - 30 if on_right else 30


def _view(code, title, width, height, outline, boxes, *, right_on_viewer_right) -> View:
    shapes: list[Shape] = []
    for box in boxes:
        if box.region in MIDLINE_REGIONS:
            shapes.append(
                Shape(box.region, "midline", box.short_label, box.x, box.y, box.width, box.height)
            )
            continue
        mirrored_x = width - box.x - box.width
        right_x, left_x = (box.x, mirrored_x) if right_on_viewer_right else (mirrored_x, box.x)
        for side, x in (("left", left_x), ("right", right_x)):
            shapes.append(Shape(box.region, side, box.short_label, x, box.y, box.width, box.height))
    return View(code, title, width, height, outline, tuple(shapes), right_on_viewer_right)


# Boxes on the viewer's right half of each view (the patient's right seen from behind).
BACK = _view(
    "back",
    "Back (seen from behind)",
    300,
    470,
    "M100 22 H200 L286 78 L286 272 L264 358 L252 460 H176 L166 280 H134 L124 460 H48 "
    "L36 358 L14 272 L14 78 Z",
    (
        Box("lumbar", "Lumbar", 110, 24, 80, 46),
        Box("sij_psis", "SIJ", 177, 74, 48, 46),
        Box("upper_buttock_iliac_crest", "Crest", 229, 74, 48, 46),
        Box("deep_gluteal_piriformis", "Deep glut", 177, 124, 48, 46),
        Box("gluteus_medius", "Glut med", 229, 124, 48, 46),
        Box("mid_buttock", "Mid buttock", 177, 174, 100, 46),
        Box("ischial_tuberosity", "Ischial", 177, 224, 48, 46),
        Box("lower_buttock", "Lower", 229, 224, 48, 46),
        Box("perineal_saddle", "Saddle", 127, 224, 46, 46),
        Box("posterior_thigh", "Back of thigh", 177, 276, 80, 82),
        Box("leg_below_knee", "Below knee", 180, 364, 64, 90),
    ),
    right_on_viewer_right=True,
)

FRONT = _view(
    "front",
    "Front",
    220,
    470,
    "M64 22 H156 L204 150 L200 270 L184 358 L178 460 H118 L112 236 H108 L102 460 H42 "
    "L36 358 L20 270 L16 150 Z",
    (
        Box("groin", "Groin", 120, 174, 52, 50),
        Box("leg_below_knee", "Below knee", 118, 364, 56, 90),
    ),
    right_on_viewer_right=False,
)

VIEWS = (BACK, FRONT)


def shape_value(shape: Shape, values: Collection[str]) -> str | None:
    """The template's value a shape ticks, or None when the template has no such region."""
    sided = f"{shape.region}_{shape.side}"
    if sided in values:
        return sided
    return shape.region if shape.region in values else None
