import json
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from portal.web.scale import ScaleDataError, bench_targets, build_scale_data, database_is_empty


class Command(BaseCommand):
    help = (
        "Build the benchmark's scale data set on PostgreSQL (60 buyers, 5,000 suppliers, 10,000 challenges, "
        "100,000 proposals, 300 exchanges, 20,000 ideas at --scale 1) into an empty, migrated database; "
        "with --targets, write fresh sessions and the URLs the load script requests to a JSON file."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale", type=float, default=1.0, help="Fraction of the full size (0 < scale ≤ 1)."
        )
        parser.add_argument(
            "--targets",
            metavar="FILE",
            help="Write the benchmark's sessions and URLs to FILE (after building, or alone with --skip-build).",  # noqa: E501
        )
        parser.add_argument(
            "--skip-build",
            action="store_true",
            help="Do not build (the data set exists); only write --targets.",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Build only if the database is empty; otherwise keep the data set that is there.",
        )

    def handle(self, *args, scale, targets, skip_build, if_empty, **options):
        if if_empty and not skip_build and not database_is_empty():
            self.stdout.write("The database holds data already: the scale data set is not built again.")
            skip_build = True
        try:
            if not skip_build:
                self.stdout.write(f"Building the scale data set at scale {scale} …")
                started = time.monotonic()
                report = build_scale_data(scale=scale, log=self.stdout.write)
                elapsed = time.monotonic() - started
                for label, count in sorted(report.counts.items()):
                    self.stdout.write(f"  {label:<45} {count:>9,}")
                self.stdout.write(self.style.SUCCESS(f"Built in {elapsed:.1f} s."))
            if targets:
                data = bench_targets()
                path = Path(targets)
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(json.dumps(data, indent=2))
                self.stdout.write(f"Wrote the benchmark targets to {path}.")
        except ScaleDataError as error:
            raise CommandError(str(error)) from error
