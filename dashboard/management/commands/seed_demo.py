from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from dashboard.demo_data import seed_demo


class Command(BaseCommand):
    help = "Create or refresh the demo campaign, Tây Ninh's communes, agencies, officers and demo users."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="seed even with DEBUG off (never on a production database)"
        )

    def handle(self, *args, force: bool, **options):
        if not settings.DEBUG and not force:
            raise CommandError("DEBUG is off: demo data would mix with real data. Use --force if this is a test copy.")
        report = seed_demo()
        self.stdout.write(
            f"Campaign {report.campaign.code}: {report.campaign.weeks.count()} weeks, "
            f"{report.communes} communes in {report.offices} BHXH offices, "
            f"{report.agencies} agencies, {report.collectors} officers, {report.quotas} weekly quotas."
        )
        self.stdout.write("Demo users (username / password / role):")
        for user in report.users:
            self.stdout.write(f"  {user.username} / {user.password} / {user.role.label}")
