import os
import time

from django.core.management.base import BaseCommand, CommandError

from campaign.models import Campaign
from demo.data import CAMPAIGN_CODE
from demo.scale.generate import DEFAULT_SEED, ScaleDataError, generate_scale_data


def _load() -> str:
    try:
        return " / ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:  # not on every platform
        return "unknown"


class Command(BaseCommand):
    help = (
        "Fill the demo campaign with province-scale made-up data (agencies, officers, people, prior coverage, "
        "enrollments, mugs, quotas, coverage snapshots) for benchmarks: COPY on PostgreSQL, bulk inserts "
        "elsewhere. Run after seed_demo. A database that already has scale data is refused unless --fresh."
    )

    def add_arguments(self, parser):
        parser.add_argument("--people", type=int, required=True, help="people (participants), e.g. 3300000")
        parser.add_argument("--enrollments", type=int, required=True, help="enrollments, e.g. 1000000")
        parser.add_argument("--agencies", type=int, required=True, help="collection agencies, e.g. 300")
        parser.add_argument("--collectors", type=int, required=True, help="officers (at least one per agency)")
        parser.add_argument(
            "--campaign", default=CAMPAIGN_CODE, help=f"a demo campaign's code (default {CAMPAIGN_CODE})"
        )
        parser.add_argument(
            "--fresh", action="store_true", help="delete the scale data an earlier run made first (else: refused)"
        )
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed (same seed, same data)")

    def handle(self, *args, people, enrollments, agencies, collectors, campaign, fresh, seed, **options):
        found = Campaign.objects.filter(code=campaign).first()
        if found is None:
            raise CommandError(f"No campaign {campaign}: run seed_demo first.")
        self.stdout.write(
            f"Generating {people:,} people, {enrollments:,} enrollments, {agencies:,} agencies and "
            f"{collectors:,} officers into {found.code} (load average {_load()})..."
        )
        started = time.perf_counter()
        try:
            report = generate_scale_data(
                found,
                people=people,
                enrollments=enrollments,
                agencies=agencies,
                collectors=collectors,
                fresh=fresh,
                seed=seed,
                log=self.stdout.write,
            )
        except ScaleDataError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(
            f"Done in {time.perf_counter() - started:.0f} s (load average {_load()}): {report.agencies:,} agencies, "
            f"{report.collectors:,} officers, {report.households:,} households, {report.people:,} people, "
            f"{report.prior_coverage:,} prior coverage rows, {report.enrollments:,} enrollments, {report.gifts:,} "
            f"mugs, {report.quotas:,} weekly quotas, {report.snapshots:,} coverage snapshots "
            f"({report.days[0]:%d/%m/%Y}–{report.days[-1]:%d/%m/%Y})."
        )
