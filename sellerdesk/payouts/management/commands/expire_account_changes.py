from django.core.management.base import BaseCommand

from sellerdesk.payouts.actions import do_expire_changes


class Command(BaseCommand):
    help = "Record as failed every withdrawal-account change whose micro-deposit verification expired."

    def handle(self, *args, **options):
        self.stdout.write(f"Expired {do_expire_changes()} account change(s).")
