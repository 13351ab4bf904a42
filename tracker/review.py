"""Every transition of a progress update, one function each.

    new ──save_content──▶ draft ──submit──▶ submitted ──accept──▶ accepted
                           ▲                  │  │                   │
                           └──save_content── returned ◀──return──┘  withdraw (staff,
                                                  │                  │  with a public reason)
                        withdraw (author, before review)             ▼
                                                  └──────────────▶ withdrawn

Staff's own updates are published when saved (`publish_own`). Accepting applies all the
update carries in one transaction: its status, the government response and lead agency it
sets, its evidence and deadlines (public from then on), and the changes it asks of
existing evidence and deadlines. Until then the public sees none of it. Reviews carry the
version the reviewer saw: if the author changed the update since, nothing happens.

Every transition emails the author or the reviewers, after the transaction commits.
"""

from contextlib import nullcontext

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from tracker import notifications, page_cache, permissions
from tracker.models import (
    Commitment,
    ConcurrentEditError,
    Deadline,
    Evidence,
    ProgressUpdate,
    proof_missing_message,
)

State = ProgressUpdate.ReviewState


class ReviewRefused(Exception):
    """A transition that cannot happen; the message says why, in plain words."""


def save_content(update: ProgressUpdate, *, by, expected_version: int | None = None) -> None:
    """Save what the author wrote. A new update is a draft until submitted (staff's own are
    published by `publish_own`); a returned one goes back to draft; one waiting for review
    keeps waiting, with a new version, so that a reviewer who read the old text cannot
    accept it. Raises ConcurrentEditError when someone saved it since `expected_version`.
    """
    # Staff correcting their own published update change the public pages together, the
    # pages' token held before the update (as an acceptance holds it).
    published = update.pk is not None and update.review_state == State.ACCEPTED
    with transaction.atomic(), page_cache.together() if published else nullcontext():
        if update.pk is None:
            if not permissions.can_report_on(by, update.commitment):
                raise PermissionDenied
            update.author = by
            update.review_state = State.DRAFT
            update.save()
            return
        if not permissions.can_edit_update(by, update):
            raise PermissionDenied
        if permissions.can_take_over(by, update):
            update.author = by  # carried on by the focal point who took over the country
        if expected_version is None:
            expected_version = update.version
        claimed = ProgressUpdate.objects.filter(pk=update.pk, version=expected_version).update(
            version=F("version") + 1
        )
        if not claimed:
            raise ConcurrentEditError
        update.version = expected_version + 1
        if update.review_state == State.RETURNED:
            update.review_state = State.DRAFT
        update.save()
        if update.review_state == State.ACCEPTED:  # staff correcting their own
            _apply(update)


def report(update: ProgressUpdate, *, by, as_draft: bool = False) -> None:
    """Save an update and send it on: published at once when network staff wrote it,
    submitted for review otherwise (or kept as a draft)."""
    with transaction.atomic():
        save_content(update, by=by)
        send_on(update, by=by, as_draft=as_draft)


def report_many(updates: list[ProgressUpdate], deadlines: list[Deadline], *, by) -> None:
    """Many new updates at once, as a spreadsheet upload makes them, in one transaction:
    submitted for review (published at once when network staff wrote them), each with the
    deadlines given for it. Written in bulk, with their history; the reviewers get one
    email for all of them."""
    if not updates:
        return
    staff = permissions.is_network_staff(by)
    commitments = {update.commitment_id: update.commitment for update in updates}
    if len(commitments) < len(updates):
        raise ReviewRefused(_("A commitment can get one update per upload."))
    if not all(permissions.can_report_on(by, c) for c in commitments.values()):
        raise PermissionDenied
    needing = {u.commitment_id for u in updates if u.needs_proof()}
    proven = set(
        Evidence.objects.public()
        .proof()
        .filter(commitment__in=needing)
        .values_list("commitment_id", flat=True)
    )
    for update in updates:
        if update.commitment_id in needing - proven:
            raise ReviewRefused(proof_missing_message(update.status))
    now = timezone.now()
    for update in updates:
        update.author_id = by.pk
        if staff:
            update.review_state = State.ACCEPTED
            update.reviewer_id, update.reviewed_at, update.accepted_at = by.pk, now, now
        else:
            update.review_state = State.SUBMITTED
    with transaction.atomic():
        bulk_create_with_history(updates, ProgressUpdate, default_user=by, default_date=now)
        for deadline in deadlines:
            deadline.update_id = deadline.update.pk
            deadline.country_id = deadline.commitment.country_id
            deadline.created_by_id = by.pk
            deadline.set_by_staff = staff
        bulk_create_with_history(deadlines, Deadline, default_user=by, default_date=now)
        if staff:
            _publish_many(updates, by=by, now=now)
        else:
            notifications.updates_submitted(updates, by=by)


def _publish_many(updates: list[ProgressUpdate], *, by, now) -> None:
    """What `Commitment.refresh_status` does for one accepted update, for many new ones at
    once: each is the latest accepted update of its commitment."""
    with page_cache.bulk_changes():
        locked = Commitment.objects.select_for_update().in_bulk(
            [update.commitment_id for update in updates]
        )
        for update in updates:
            commitment = locked[update.commitment_id]
            for name, value in Commitment.status_from(update).items():
                setattr(commitment, name, value)
            commitment.version += 1
            commitment.public_changed_at = commitment.updated_at = now
        fields = [
            "latest_accepted_update",
            "status",
            "status_date",
            "version",
            "public_changed_at",
            "updated_at",
        ]
        bulk_update_with_history(
            list(locked.values()), Commitment, fields, default_user=by, default_date=now
        )


def send_on(update: ProgressUpdate, *, by, as_draft: bool = False) -> None:
    """After the author saved an update and what it carries: publish it (network staff's
    own), submit it for review, or leave it a draft."""
    if update.author_id == by.pk and permissions.is_network_staff(by):
        publish_own(update, by=by)
    elif not as_draft:
        submit(update, by=by)
    # Read again as the transitions left it, with what its name shows (the admin's log
    # names it): one query, not four.
    named = ProgressUpdate.objects.select_related(
        "commitment__recommendation", "commitment__country"
    )
    update.refresh_from_db(from_queryset=named)


def submit(update: ProgressUpdate, *, by) -> None:
    """The author sends a draft (or a returned update) for review; reviewers are emailed."""
    with transaction.atomic():
        update = _locked(update)
        if update.review_state == State.SUBMITTED and update.author_id == by.pk:
            return  # edited while waiting: it still waits
        if not permissions.can_submit(by, update):
            raise ReviewRefused(_("Only its author can submit this update."))
        if update.needs_proof() and not update.has_public_proof():
            raise ReviewRefused(proof_missing_message(update.status))
        update.review_state = State.SUBMITTED
        update.version += 1
        update.save()
        notifications.update_submitted(update)


def publish_own(update: ProgressUpdate, *, by) -> None:
    """Network staff's own update: published at once, with all it carries."""
    with transaction.atomic(), page_cache.together():
        update = _locked(update)
        if not (permissions.is_network_staff(by) and update.author_id == by.pk):
            raise PermissionDenied
        if update.review_state == State.ACCEPTED:
            return
        if update.needs_proof() and not update.has_public_proof():
            raise ReviewRefused(proof_missing_message(update.status))
        _mark_accepted(update, by=by)
        _apply(update)


def accept(update: ProgressUpdate, *, by, seen_version: int | None) -> None:
    with transaction.atomic(), page_cache.together():
        update = _reviewable(update, by=by, seen_version=seen_version)
        _mark_accepted(update, by=by)
        _apply(update)
        notifications.update_reviewed(update)


def return_for_changes(update: ProgressUpdate, *, by, comment: str, seen_version: int | None):
    if not comment.strip():
        raise ReviewRefused(_("Say what the focal point should change."))
    with transaction.atomic():
        update = _reviewable(update, by=by, seen_version=seen_version)
        update.review_state = State.RETURNED
        update.reviewer = by
        update.reviewed_at = timezone.now()
        update.review_comment = comment
        update.version += 1
        update.save()
        notifications.update_reviewed(update)


def review_many(updates, *, by, accepting: bool, comment: str = "", seen_versions: dict) -> int:
    """Accept or return several updates: all of them, or none if any changed since the
    reviewer saw it (`seen_versions`: {pk: version}). Returns how many."""
    count = 0
    # Accepted together: the pages' token replaced, and the figures counted, once for all.
    with transaction.atomic(), page_cache.together() if accepting else nullcontext():
        for update in updates.order_by("pk"):
            seen = seen_versions.get(update.pk)
            if accepting:
                accept(update, by=by, seen_version=seen)
            else:
                return_for_changes(update, by=by, comment=comment, seen_version=seen)
            count += 1
    return count


def translate(update: ProgressUpdate, *, by, english: dict) -> None:
    """Network staff's English version of an update's texts (`english`: narrative_en,
    challenges_en, support_needed_en). What its author wrote, and its version, stay as they
    are; on a public update the English pages show it at once."""
    if not permissions.can_translate(by, update):
        raise ReviewRefused(_("This update cannot be given an English version by you now."))
    for name in update.ENGLISH_TEXTS:
        setattr(update, name, english.get(name, ""))
    update.save(update_fields=update.ENGLISH_TEXTS)


def withdraw(update: ProgressUpdate, *, by, reason: str = "") -> None:
    """The author takes back an update not reviewed yet; or network staff withdraw a
    published one, with a reason the public sees. Nothing is deleted: the public timeline
    shows that it was withdrawn, and why, and the commitment's status is that of the
    latest accepted update left (or "Not started")."""
    # Staff's withdrawals are of published updates: they change the public pages together,
    # the pages' token held before the update, as an acceptance holds it.
    staff = permissions.is_network_staff(by)
    with transaction.atomic(), page_cache.together() if staff else nullcontext():
        update = _locked(update)
        if not permissions.can_withdraw(by, update):
            raise ReviewRefused(_("This update cannot be withdrawn by you now."))
        was = update.review_state
        if was == State.ACCEPTED and not reason.strip():
            raise ReviewRefused(_("Say why it is withdrawn: the public will read the reason."))
        update.review_state = State.WITHDRAWN
        update.withdrawn_by = by
        update.withdrawn_at = timezone.now()
        update.withdrawal_reason = reason.strip()
        update.version += 1
        update.save()
        if was == State.ACCEPTED:
            update.commitment.refresh_status()
            Commitment.objects.filter(pk=update.commitment_id).mark_publicly_changed()
        notifications.update_withdrawn(update, was=was)


# --- helpers ----------------------------------------------------------------------------


def _locked(update: ProgressUpdate) -> ProgressUpdate:
    return (
        ProgressUpdate.objects.select_for_update()
        .select_related("commitment", "author")
        .get(pk=update.pk)
    )


def _reviewable(update: ProgressUpdate, *, by, seen_version: int | None) -> ProgressUpdate:
    fresh = _locked(update)
    if not permissions.is_network_staff(by):
        raise PermissionDenied
    if fresh.review_state != State.SUBMITTED:
        raise ReviewRefused(
            _("“%(update)s” is no longer waiting for review (it is now: %(state)s).")
            % {"update": fresh, "state": fresh.get_review_state_display()}
        )
    if seen_version is None or fresh.version != seen_version:
        raise ReviewRefused(
            _(
                "“%(update)s” was changed by its author after you opened it, so nothing was "
                "done. Open it again, read the new version, then accept or return it."
            )
            % {"update": fresh}
        )
    if fresh.needs_proof() and not fresh.has_public_proof():
        raise ReviewRefused(proof_missing_message(fresh.status))
    return fresh


def _mark_accepted(update: ProgressUpdate, *, by) -> None:
    now = timezone.now()
    update.review_state = State.ACCEPTED
    update.reviewer = by
    update.reviewed_at = now
    update.accepted_at = now
    update.version += 1
    update.save()


def _apply(update: ProgressUpdate) -> None:
    """Make public what an accepted update carries."""
    commitment = Commitment.objects.select_for_update().get(pk=update.commitment_id)
    changed = False
    if update.response and update.response != commitment.response:
        commitment.response = update.response
        changed = True
    if update.lead_agency and update.lead_agency != commitment.lead_agency:
        commitment.lead_agency = update.lead_agency
        changed = True
    if changed:
        commitment.version += 1
        commitment.save()
    for change in update.evidence_changes.select_related("evidence"):
        evidence: Evidence = change.evidence
        if evidence.visibility != change.visibility:
            evidence.visibility = change.visibility
            evidence.save()
    for change in update.deadline_changes.select_related("deadline"):
        deadline: Deadline = change.deadline
        if change.due_date:
            deadline.due_date = change.due_date
        if change.is_done:
            deadline.is_done = True
        deadline.save()
    commitment.refresh_status()
    Commitment.objects.filter(pk=commitment.pk).mark_publicly_changed()
