import pytest

from assessments import services as assessment_services
from assessments.buttock_pain import BUTTOCK_PAIN_V1

CLEAR_RED_FLAGS = {code: "no" for code in BUTTOCK_PAIN_V1.index if code.startswith("rf_")}


@pytest.fixture
def screened_visit(visit, physio):
    """A draft visit whose assessment screened every red flag negative."""
    assessment_services.assessment_save(
        visit=visit,
        template=BUTTOCK_PAIN_V1,
        user=physio,
        answers=CLEAR_RED_FLAGS | {"low_back_pain": "yes", "lumbar_stiff_segments": ["l4_l5"]},
    )
    return visit
