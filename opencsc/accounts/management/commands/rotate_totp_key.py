from django.core.management.base import BaseCommand
from django.db import transaction

from opencsc.accounts.models import User


class Command(BaseCommand):
    help = (
        "Re-encrypt every two-factor secret with the first key of OPENCSC_TOTP_KEY. Rotation: put the new key "
        "first (OPENCSC_TOTP_KEY=new,old), run this, then remove the old key."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        users = User.objects.select_for_update().exclude(totp_secret="")
        count = 0
        for user in users:  # read with whichever key decrypts it, saved with the first
            user.save(update_fields=["totp_secret"])
            count += 1
        self.stdout.write(f"Re-encrypted {count} two-factor secrets with the first OPENCSC_TOTP_KEY")
