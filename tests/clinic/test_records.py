import pytest

from assessments.host import RecordSection, RecordSectionRegistry, record_sections
from assessments.registry import AlreadyRegistered, NotRegistered

pytestmark = pytest.mark.django_db


def test_registry_fails_loudly_on_duplicates_and_unknown_keys():
    registry = RecordSectionRegistry()
    registry.register(RecordSection(key="a", title="A", template="a.html"))
    with pytest.raises(AlreadyRegistered):
        registry.register(RecordSection(key="a", title="A again", template="a.html"))
    with pytest.raises(NotRegistered):
        registry.unregister("b")


def test_sections_render_in_order_for_permitted_users(client_for, physio, front_desk, patient):
    section = RecordSection(
        key="test_extra",
        title="Extra section from a plugin",
        template="clinic/sections/demographics.html",
        order=15,
        permission="clinic.view_clinical_record",
    )
    with record_sections.temporarily(section):
        page = client_for(physio).get(patient.get_absolute_url()).content.decode()
        assert (
            page.index("Patient details")
            < page.index("Extra section from a plugin")
            < page.index("Episodes of care")
        )
        page = client_for(front_desk).get(patient.get_absolute_url()).content.decode()
        assert "Extra section from a plugin" not in page
    assert "test_extra" not in record_sections
