"""FHIR R4 export, as plain dicts ready for ``json.dumps``.

- ``base``: the helpers every builder uses, the host's too (ids, references, dates,
  codings) and how a patient's Bundle names its resources;
- ``questionnaires``: a template as a Questionnaire, an assessment as a
  QuestionnaireResponse; ``observations``: a score as an Observation; ``conditions``: a
  working diagnosis as Conditions; ``records``: this app's part of a patient's Bundle;
- ``bundle``: the registry of what each app contributes to a patient's Bundle, and the
  Bundle.

``fhir.resources`` is a test dependency only: the tests validate the output against its
R4B models. The names below are the README's stable API.
"""

from .observations import measure_observation
from .questionnaires import questionnaire, questionnaire_response

__all__ = ["measure_observation", "questionnaire", "questionnaire_response"]
