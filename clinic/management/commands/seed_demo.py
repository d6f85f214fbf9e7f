"""`manage.py seed_demo`: a realistic demo clinic (demo data only, never in production)."""

import time

from django.core.management.base import BaseCommand, CommandError, CommandParser

from clinic.models import Patient
from clinic.seeding import DEMO_PASSWORD, DEMO_USERS, SeedingError, demo_clinic_create


class Command(BaseCommand):
    help = (
        "Add a demo clinic: demo users (password 'demo'), patients with episodes of buttock "
        "pain and their visits, and whatever installed apps register. Demo data only: never "
        "run it against a production clinic."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--patients", type=int, default=40, help="How many (default 40).")
        parser.add_argument(
            "--seed", type=int, default=1, help="The same seed gives the same clinic (default 1)."
        )
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing when any patient exists."
        )
        parser.add_argument(
            "--batch-size", type=int, default=2000, help="Rows per insert (default 2000)."
        )
        parser.add_argument("--quiet", action="store_true", help="No progress bar.")

    def handle(
        self,
        *args,
        patients: int,
        seed: int,
        if_empty: bool,
        batch_size: int,
        quiet: bool,
        verbosity: int,
        **options,
    ) -> None:
        if patients < 0 or batch_size < 1:
            raise CommandError("--patients must be 0 or more and --batch-size at least 1.")
        if if_empty and Patient.objects.exists():
            if verbosity:
                self.stdout.write("The clinic already has patients: no demo data added.")
            return
        started = time.perf_counter()
        try:
            context = demo_clinic_create(
                patients=patients,
                seed=seed,
                batch_size=batch_size,
                show_progress=not quiet and verbosity > 0 and self.stderr.isatty(),
            )
        except SeedingError as error:
            raise CommandError(str(error)) from error
        if not verbosity:
            return
        seconds = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(f"Demo clinic created in {seconds:.1f} s (seed {seed}):")
        )
        for label, count in context.created.items():
            self.stdout.write(f"  {count:>9,}  {label}")
        self.stdout.write(
            f"\nDemo logins, password {DEMO_PASSWORD!r} (demo data only, never in production):"
        )
        for spec in DEMO_USERS:
            admin_note = ", Django admin at /admin/" if spec.is_staff else ""
            self.stdout.write(
                f"  {spec.username:<10} {spec.first_name} {spec.last_name} ({spec.role}{admin_note})"
            )
