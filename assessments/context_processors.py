"""What the plugin's pages need from every request's context: the host's page to extend.

Add `"assessments.context_processors.clinical"` to the host's TEMPLATES context_processors;
the plugin's templates extend `{{ clinical_base_template }}` (CLINICAL_BASE_TEMPLATE,
default "base.html"), which gives them the blocks `title`, `head`, `content` and `scripts`.
"""

from django.conf import settings

DEFAULT_BASE_TEMPLATE = "base.html"


def clinical(request) -> dict:
    return {
        "clinical_base_template": getattr(settings, "CLINICAL_BASE_TEMPLATE", DEFAULT_BASE_TEMPLATE)
    }
