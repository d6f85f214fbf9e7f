from django import template

register = template.Library()


@register.filter
def param_summary(intervention) -> str:
    """The parameters in words: "Level: L4/5 · Maitland grade: III · Repetitions: 3"."""
    from treatments.kinds import NotRegistered, ParamType, kinds

    try:
        kind = kinds.get(intervention.kind)
    except NotRegistered:
        return ""
    parts = []
    for param in kind.params:
        value = intervention.params.get(param.code)
        if value in (None, "", []) or param.type is ParamType.EXERCISES:
            continue
        if param.type is ParamType.CHOICE:
            value = param.choice_label(value) if value in param.values else value
        elif param.type is ParamType.MULTI_CHOICE:
            value = ", ".join(param.choice_label(code) for code in value if code in param.values)
        elif isinstance(value, float):
            value = f"{value:g}"
        parts.append(f"{param.label}: {value}{' ' + param.unit if param.unit else ''}")
    return " · ".join(parts)
