import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def name_the_current_rounds(apps, schema_editor):
    """Every dispute so far is round 1 and the current round of its request."""
    AfterSale = apps.get_model("aftersales", "AfterSale")
    Dispute = apps.get_model("aftersales", "Dispute")
    AfterSale.objects.filter(pk__in=Dispute.objects.values("aftersale_id")).update(
        dispute_id=Subquery(Dispute.objects.filter(aftersale_id=OuterRef("pk")).values("id")[:1])
    )


class Migration(migrations.Migration):
    """One dispute row per round: a dispute escalated again gets a new row instead of overwriting
    round 1 (its opening, its timeout, its outcome); the after-sale names its current round."""

    dependencies = [
        ("aftersales", "0008_evidence_request_open_due"),
    ]

    operations = [
        migrations.AlterField(
            model_name="dispute",
            name="aftersale",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="dispute_rounds", to="aftersales.aftersale"
            ),
        ),
        migrations.AddField(
            model_name="dispute",
            name="round",
            field=models.PositiveSmallIntegerField(default=1),
        ),
        migrations.AddField(
            model_name="aftersale",
            name="dispute",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="current_of",
                to="aftersales.dispute",
            ),
        ),
        migrations.AddConstraint(
            model_name="dispute",
            constraint=models.UniqueConstraint(fields=("aftersale", "round"), name="one_dispute_row_per_round"),
        ),
        migrations.RunPython(name_the_current_rounds, migrations.RunPython.noop),
    ]
