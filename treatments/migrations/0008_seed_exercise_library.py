"""A starting exercise library, in our own words. The clinic changes, adds or retires
exercises in the Django admin (who may is the host's to grant: ours does it in
clinic/migrations/0018_grant_exercise_library_permissions.py)."""

from django.db import migrations

STARTING_LIBRARY = [
    {
        "name": "Bridge",
        "instructions": (
            "Lie on your back, knees bent, feet flat on the floor. Squeeze your buttocks and "
            "lift your hips until your shoulders, hips and knees are in a line. Hold, then "
            "lower slowly."
        ),
        "sets": 3,
        "reps": 10,
        "hold_seconds": 3,
        "frequency": "daily",
    },
    {
        "name": "Clam",
        "instructions": (
            "Lie on your side, hips and knees bent, heels together. Keep your feet touching "
            "and lift your top knee as far as is comfortable without rolling backwards, then "
            "lower it slowly."
        ),
        "sets": 3,
        "reps": 12,
        "frequency": "daily",
    },
    {
        "name": "Seated buttock stretch",
        "instructions": (
            "Sit tall on a firm chair and rest the ankle of your painful side on the other "
            "knee. Keep your back straight and lean forward from your hips until you feel a "
            "gentle stretch in the buttock. Breathe normally while you hold it."
        ),
        "reps": 3,
        "hold_seconds": 30,
        "frequency": "twice_daily",
    },
    {
        "name": "Heel press (hamstring hold)",
        "instructions": (
            "Lie on your back with one knee bent and the heel on the floor. Press the heel "
            "down and towards you without letting it move, enough to feel the back of the "
            "thigh working but not pain. Hold, then relax."
        ),
        "reps": 5,
        "hold_seconds": 30,
        "frequency": "daily",
    },
    {
        "name": "Bird dog",
        "instructions": (
            "On your hands and knees with your back level, reach one arm forward and the "
            "opposite leg back. Hold without letting your back sag or twist, come back and "
            "change sides."
        ),
        "sets": 3,
        "reps": 8,
        "hold_seconds": 5,
        "frequency": "daily",
    },
]


def seed_library(apps, schema_editor):
    Exercise = apps.get_model("treatments", "Exercise")
    for exercise in STARTING_LIBRARY:
        Exercise.objects.get_or_create(name=exercise["name"], defaults=exercise)


def remove_library(apps, schema_editor):
    Exercise = apps.get_model("treatments", "Exercise")
    Exercise.objects.filter(name__in=[exercise["name"] for exercise in STARTING_LIBRARY]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("treatments", "0007_add_exercise_library"),
    ]

    operations = [migrations.RunPython(seed_library, remove_library)]
