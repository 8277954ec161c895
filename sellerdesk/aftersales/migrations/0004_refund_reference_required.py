# Every refund has its rail reference (0003 filled the older ones); in its own migration so that
# PostgreSQL alters the table in a transaction that updated no rows of it.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('aftersales', '0003_refund_through_rail'),
    ]

    operations = [
        migrations.AlterField(
            model_name='refund',
            name='reference',
            field=models.CharField(max_length=64, unique=True),
        ),
    ]
