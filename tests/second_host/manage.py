#!/usr/bin/env python
"""The second host's manage.py: `python manage.py check`, `migrate`, `runserver`."""

import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carebook_site.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
