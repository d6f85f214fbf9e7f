from django.dispatch import Signal

# Sent inside the signing transaction, before the visit is marked signed, with
# `visit` and `user`. Receivers freeze their own records; raising ValidationError
# refuses the signature with that message.
visit_signing = Signal()
