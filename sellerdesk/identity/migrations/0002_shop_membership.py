"""User.shops gets a through model, ShopMembership, on the same table (identity_user_shops): the
rows stay, two columns are added, and each shop's earliest member becomes its owner."""
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def first_member_owns(apps, schema_editor):
    Membership = apps.get_model("identity", "ShopMembership")
    seen = set()
    for m in Membership.objects.order_by("shop_id", "id"):
        if m.shop_id not in seen:
            seen.add(m.shop_id)
            Membership.objects.filter(pk=m.pk).update(is_owner=True)


class Migration(migrations.Migration):

    dependencies = [
        ("identity", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ShopMembership",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                                   verbose_name="ID")),
                        ("user", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE,
                                                   related_name="shop_memberships", to=settings.AUTH_USER_MODEL)),
                        ("shop", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE,
                                                   related_name="memberships", to="identity.shop")),
                    ],
                    options={"db_table": "identity_user_shops", "unique_together": {("user", "shop")}},
                ),
                migrations.AlterField(
                    model_name="user",
                    name="shops",
                    field=models.ManyToManyField(blank=True, related_name="staff", through="identity.ShopMembership",
                                                 to="identity.shop"),
                ),
            ],
            database_operations=[],
        ),
        migrations.AddField(
            model_name="shopmembership",
            name="is_owner",
            field=models.BooleanField(db_default=False, default=False),
        ),
        migrations.AddField(
            model_name="shopmembership",
            name="can_manage_payout_accounts",
            field=models.BooleanField(db_default=False, default=False),
        ),
        migrations.RunPython(first_member_owns, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="shopmembership",
            constraint=models.UniqueConstraint(condition=models.Q(("is_owner", True)), fields=("shop",),
                                               name="shop_one_owner"),
        ),
    ]
