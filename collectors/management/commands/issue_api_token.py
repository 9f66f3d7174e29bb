from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from collectors.roles import Role, role_of
from collectors.scoping import collector_of
from collectors.tokens import issue_api_token


class Command(BaseCommand):
    help = (
        "Issue a JSON API token for USERNAME and print it once (only its hash is kept). "
        "The token acts as the user: their role and, for an officer, their agency apply."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", required=True, help="what the token is for, e.g. 'post office system'")

    def handle(self, *args, username: str, name: str, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user is called {username!r}.")
        if not user.is_active:
            raise CommandError(f"The user {username!r} is deactivated; a token for them would not work.")
        if not name.strip():
            raise CommandError("Give the token a --name that says what it is for.")
        role = role_of(user)
        if role is None:
            self.stderr.write(f"Warning: {username} has no role, so the token will be refused (403) everywhere.")
        elif role == Role.OFFICER and collector_of(user) is None:
            self.stderr.write(
                f"Warning: {username} is not linked to an active collection officer, so the token cannot record."
            )
        token, raw = issue_api_token(user=user, name=name.strip())
        # The token alone on stdout, so a script can capture it; the explanation on stderr.
        self.stdout.write(raw)
        self.stderr.write(
            f"Token {token.prefix}… issued for {username} ({name.strip()}). It is shown only this once: "
            "store it now. Send it as 'Authorization: Bearer <token>'; revoke it in the admin site."
        )
