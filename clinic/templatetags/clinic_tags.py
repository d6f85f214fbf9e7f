from django import template

register = template.Library()


@register.filter
def change_rows(entry) -> list[tuple[str, object, object]]:
    """An audit entry's changes as (field, old, new) rows.

    Not `changes_dict.items` in the template: a model with a field named `items` (a red-flag
    alert's) makes the template language look up the key instead of calling the method.
    """
    rows = []
    for field, values in (entry.changes_dict or {}).items():
        if isinstance(values, dict):  # many-to-many changes
            rows.append(
                (field, values.get("type", ""), ", ".join(map(str, values.get("objects", []))))
            )
        else:
            old, new = (list(values) + [None, None])[:2]
            rows.append((field, old, new))
    return rows
