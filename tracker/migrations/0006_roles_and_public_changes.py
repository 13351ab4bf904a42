"""Every install has the network staff group (its members' permissions come from
tracker.permissions, not from the group); published updates get their publication date;
evidence and deadlines that focal points added stay theirs to change; commitments get the
date of their last public change, for changed_since."""

from django.db import migrations
from django.db.models import Max

STAFF_GROUP = "Network staff"


def forwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Commitment = apps.get_model("tracker", "Commitment")
    ProgressUpdate = apps.get_model("tracker", "ProgressUpdate")
    Evidence = apps.get_model("tracker", "Evidence")
    Deadline = apps.get_model("tracker", "Deadline")
    User = apps.get_model("auth", "User")

    group, _ = Group.objects.get_or_create(name=STAFF_GROUP)
    group.permissions.clear()

    for update in ProgressUpdate.objects.filter(review_state="accepted", accepted_at=None):
        update.accepted_at = update.reviewed_at or update.created_at
        update.save(update_fields=["accepted_at"])

    staff = User.objects.filter(is_superuser=True) | User.objects.filter(groups=group)
    Evidence.objects.exclude(added_by__in=staff).update(set_by_staff=False)
    Deadline.objects.exclude(created_by__in=staff).update(set_by_staff=False)

    accepted = dict(
        ProgressUpdate.objects.filter(review_state="accepted")
        .values_list("commitment")
        .annotate(last=Max("accepted_at"))
    )
    evidence = dict(
        Evidence.objects.filter(visibility="public")
        .values_list("commitment")
        .annotate(last=Max("created_at"))
    )
    deadlines = dict(Deadline.objects.values_list("commitment").annotate(last=Max("created_at")))
    for commitment in Commitment.objects.only("pk", "created_at").iterator():
        dates = [
            commitment.created_at,
            *(d.get(commitment.pk) for d in (accepted, evidence, deadlines)),
        ]
        Commitment.objects.filter(pk=commitment.pk).update(
            public_changed_at=max(d for d in dates if d is not None)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("tracker", "0005_review_unit"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
