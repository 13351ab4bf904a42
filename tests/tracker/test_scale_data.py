"""The synthetic data of the benchmarks: kept apart from real reports, and consistent."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from consultations.models import Consultation
from tracker.models import Commitment, ProgressUpdate

pytestmark = pytest.mark.django_db


def generate(*args: str) -> str:
    out = io.StringIO()
    call_command(
        "generate_scale_data",
        "--recommendations=4",
        "--countries=3",
        "--updates-per-commitment=3",
        *args,
        stdout=out,
    )
    return out.getvalue()


def test_synthetic_data_has_its_own_consultation_and_the_counts_asked_for(world):
    real = Commitment.objects.count()
    assert "12 commitments, 36 progress updates" in generate()
    consultation = Consultation.objects.get(code="SCALE")
    assert "Synthetic" in consultation.title
    synthetic = Commitment.objects.filter(recommendation__consultation=consultation)
    assert synthetic.count() == 12
    assert Commitment.objects.count() == real + 12
    assert ProgressUpdate.objects.filter(commitment__in=synthetic).count() == 36


def test_each_commitment_has_the_status_of_its_latest_accepted_update(world):
    generate()
    for commitment in Commitment.objects.filter(recommendation__consultation__code="SCALE"):
        latest = commitment.updates.filter(review_state="accepted").order_by("-created_at").first()
        if latest is None:
            assert commitment.status == "not_started" and commitment.status_date is None
        else:
            assert commitment.latest_accepted_update == latest
            assert commitment.status == latest.status
            assert commitment.status_date == latest.created_at.date()
        assert commitment.history.first().status == commitment.status


def test_generating_twice_needs_replace_and_if_missing_does_nothing(world):
    generate()
    with pytest.raises(CommandError):
        generate()
    assert "already there" in generate("--if-missing")
    generate("--replace", "--seed=7")
    assert Commitment.objects.filter(recommendation__consultation__code="SCALE").count() == 12


def test_public_pages_show_the_synthetic_data_at_once(client, world):
    assert client.get(reverse("tracker:dashboard")).status_code == 200  # now cached
    generate()
    assert "Synthetic recommendation 1" in client.get(reverse("tracker:progress_table")).text
