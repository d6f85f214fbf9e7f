"""The diary: physios' working patterns, appointments, the follow-ups worklist and
calendar feeds.

- `times`: the time arithmetic (working patterns, free slots, the day/week grid), pure;
- `selectors`: the reads, the follow-up rule among them (`with_follow_up_due`);
- `services`: every write (booking, moving, cancelling, check-in, contact attempts,
  calendar feeds), the no-overlap rules with them;
- `permissions`: who may backfill, read an appointment's episode, start its visit;
- `views`: the pages, thin; `demo`: the demo clinic's diary.

Its stable part, `book()` and its errors, is `clinic.scheduling` (README).
"""
