"""`opencsc api_client create|list|revoke`: API clients from the command line, for a system administrator named by
--as (every change is audited against a person)."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from opencsc.accounts.models import User
from opencsc.api import services
from opencsc.api.models import ApiClient, Scope


class Command(BaseCommand):
    help = "Make, list or revoke API clients (partner systems and reporting tools). A new secret is printed once."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="Make a client and print its credentials, once")
        create.add_argument("--name", required=True)
        create.add_argument("--organisation", required=True)
        create.add_argument("--email", required=True, help="The technical contact's email address")
        create.add_argument("--scope", action="append", required=True, choices=Scope.values, dest="scopes")
        create.add_argument("--rate-limit", type=int, default=60, help="Calls allowed a minute (default 60)")
        create.add_argument("--as", required=True, dest="username", help="The system administrator making it")
        actions.add_parser("list", help="Every client, its scopes and status")
        revoke = actions.add_parser("revoke", help="Refuse a client's calls from now on")
        revoke.add_argument("key_id")
        revoke.add_argument("--as", required=True, dest="username")

    def handle(self, *args, action: str, **options):
        getattr(self, f"_{action}")(**options)

    def _administrator(self, username: str) -> User:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"--as: no account named {username}")
        return user

    def _create(self, *, name, organisation, email, scopes, rate_limit, username, **_):
        try:
            issued = services.api_client_create(
                actor=self._administrator(username),
                name=name,
                organisation=organisation,
                contact_email=email,
                scopes=scopes,
                rate_limit_per_minute=rate_limit,
            )
        except ValidationError as error:
            raise CommandError(
                "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in _errors(error))
            ) from None
        self.stdout.write(
            f"Made {issued.client.name} ({issued.client.key_id}). Its credentials, shown only now:"
        )
        self.stdout.write(issued.token)

    def _list(self, **_):
        for client in ApiClient.objects.all():
            status = "active" if client.is_active else "revoked"
            scopes = ",".join(client.scopes)
            self.stdout.write(
                f"{client.key_id}  {client.name}  {scopes}  {client.rate_limit_per_minute}/min  {status}"
            )

    def _revoke(self, *, key_id, username, **_):
        client = ApiClient.objects.filter(key_id=key_id).first()
        if client is None:
            raise CommandError(f"No API client with key id {key_id}")
        try:
            services.api_client_revoke(actor=self._administrator(username), client=client)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(f"Revoked {client.name}")


def _errors(error: ValidationError):
    if hasattr(error, "error_dict"):
        return [(field, [m for e in errs for m in e.messages]) for field, errs in error.error_dict.items()]
    return [("error", error.messages)]
