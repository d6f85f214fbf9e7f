import pytest

from assessments import services
from assessments.buttock_pain import BUTTOCK_PAIN_V1


@pytest.fixture
def alert(visit, physio):
    """An open red flag (suspected cauda equina) raised by the visit's assessment."""
    services.assessment_save(
        visit=visit,
        template=BUTTOCK_PAIN_V1,
        user=physio,
        answers={"rf_saddle_anaesthesia": "yes", "rf_bladder_bowel": "yes"},
    )
    return visit.episode.red_flag_alerts.get()
