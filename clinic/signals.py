from django.dispatch import Signal

# Sent inside the signing transaction, before the visit is marked signed, with
# `visit` and `user`. Receivers freeze their own records; raising ValidationError
# refuses the signature with that message.
visit_signing = Signal()

# Sent to ask what a draft visit still lacks before it is signed, with `visit`. Each
# receiver returns a list of short sentences a physio reads ("No SOAP note."); the sign
# page lists them, and signing with any of them missing needs the physio's confirmation.
visit_missing = Signal()

# Sent after `manage.py restore` has loaded a backup, inside its transaction. Apps that
# keep derived tables (the outcome summaries) rebuild them, so a backup taken before such
# a table existed still restores whole.
data_restored = Signal()
