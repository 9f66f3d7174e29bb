from django.core.management.base import BaseCommand, CommandError

from awards.services import Outcome, compute_rankings, publish_ranking
from campaign.selectors import campaign_by_code
from core.audit import command_actor, named_user
from core.errors import DomainError


class Command(BaseCommand):
    help = (
        "Compute the draft rankings of a week (or the final rankings) with the service the Celery task uses; "
        "--publish publishes them. A published ranking is never recomputed: re-open it on its page."
    )

    def add_arguments(self, parser):
        parser.add_argument("--campaign", required=True, help="the campaign's code, e.g. TN-CAODIEM-2025")
        scope = parser.add_mutually_exclusive_group(required=True)
        scope.add_argument("--week", type=int, help="the week number (1, 2, ...)")
        scope.add_argument("--final", action="store_true", help="the final rankings of the whole campaign")
        parser.add_argument("--publish", action="store_true", help="publish the drafts once computed")
        parser.add_argument("--user", help="the administrator's username, recorded as the publisher")

    def handle(self, *args, campaign: str, week: int | None, final: bool, publish: bool, user: str | None, **options):
        try:
            found = campaign_by_code(campaign)
        except DomainError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        publisher = named_user(user)
        with command_actor(publisher, command="compute_rankings"):
            self._compute(found, week, final, publish=publish, publisher=publisher)

    def _compute(self, found, week: int | None, final: bool, *, publish: bool, publisher) -> None:
        try:
            computed = compute_rankings(campaign=found, week_number=week, final=final)
            if not computed:
                raise CommandError("No active award rule applies: add one in the admin site (Award rules).")
            for item in computed:
                ranking = item.ranking
                line = f"{item.rule.code}: v{ranking.version} {item.outcome}, {ranking.entries.count()} entries"
                if publish and ranking.is_draft:
                    publish_ranking(ranking=ranking, user=publisher)
                    line += ", published"
                elif item.outcome == Outcome.PUBLISHED:
                    line += " (re-open it on its page to compute a new version)"
                self.stdout.write(line)
        except DomainError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
