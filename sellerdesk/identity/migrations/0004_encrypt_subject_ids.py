"""Encrypt every subject's ID number and compute its fingerprint (the clear column goes next)."""
from django.db import migrations


def encrypt_ids(apps, schema_editor):
    from sellerdesk.core import crypto

    Subject = apps.get_model("identity", "Subject")
    for subject in Subject.objects.filter(id_number_encrypted="").iterator():
        Subject.objects.filter(pk=subject.pk).update(
            id_number_encrypted=crypto.encrypt(subject.id_number),
            id_fingerprint=crypto.fingerprint("subject_id", subject.id_number))


def decrypt_ids(apps, schema_editor):
    from sellerdesk.core import crypto

    Subject = apps.get_model("identity", "Subject")
    for subject in Subject.objects.exclude(id_number_encrypted="").iterator():
        Subject.objects.filter(pk=subject.pk).update(id_number=crypto.decrypt(subject.id_number_encrypted))


class Migration(migrations.Migration):

    dependencies = [
        ("identity", "0003_subject_id_encrypted"),
    ]

    operations = [
        migrations.RunPython(encrypt_ids, decrypt_ids),
    ]
