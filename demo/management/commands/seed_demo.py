from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo.data import seed_demo


class Command(BaseCommand):
    help = "Create or refresh the demo campaign, Tây Ninh's communes, agencies, officers and demo users."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="seed even with DEBUG off (never on a production database)"
        )
        parser.add_argument(
            "--enrollment-scale",
            type=float,
            default=1.0,
            help="fraction of the about 20,000 demo enrollments to make (quick tries: 0.05)",
        )

    def handle(self, *args, force: bool, enrollment_scale: float, **options):
        if not settings.DEBUG and not force:
            raise CommandError("DEBUG is off: demo data would mix with real data. Use --force if this is a test copy.")
        report = seed_demo(enrollment_scale=enrollment_scale)
        self.stdout.write(
            f"Campaign {report.campaign.code}: {report.campaign.weeks.count()} weeks, "
            f"{report.communes} communes in {report.offices} BHXH offices, "
            f"{report.agencies} agencies, {report.collectors} officers, {report.quotas} weekly quotas, "
            f"{report.enrollments} enrollments."
        )
        self.stdout.write("Demo users (username / password / role):")
        for user in report.users:
            self.stdout.write(f"  {user.username} / {user.password} / {user.role.label}")
