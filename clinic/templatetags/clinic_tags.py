from django import template

register = template.Library()


M2M_OPERATIONS = {"add": "added", "delete": "removed"}


@register.filter
def change_rows(entry) -> list[tuple[str, object, object, str]]:
    """An audit entry's changes as (field, old, new, summary) rows: the summary says what
    a many-to-many change did ("added Physiotherapist"), old and new are for the others.

    Not `changes_dict.items` in the template: a model with a field named `items` (a red-flag
    alert's) makes the template language look up the key instead of calling the method.
    """
    rows = []
    for field, values in (entry.changes_dict or {}).items():
        if isinstance(values, dict):  # many-to-many changes
            operation = values.get("operation", "")
            objects = ", ".join(map(str, values.get("objects", [])))
            rows.append(
                (field, None, None, f"{M2M_OPERATIONS.get(operation, operation)} {objects}")
            )
        else:
            old, new = (list(values) + [None, None])[:2]
            rows.append((field, old, new, ""))
    return rows
