from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from opencsc.accounts.models import User
from opencsc.accounts.two_factor import current_code


class Command(BaseCommand):
    help = "Print the current two-factor code for a user (for the demo, where nobody has set up an app)."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username: str, **options):
        if settings.PRODUCTION:
            raise CommandError("`opencsc totp` prints a sign-in code: it will not run in production")
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user called {username!r}")
        if not user.totp_secret:
            raise CommandError(f"{username} has not set up two-factor sign-in yet: sign in once to set it up")
        self.stdout.write(current_code(user))
