"""The reporting area's pages: a focal point's commitments, the report form and what
happens next; the review queue and review page of network staff. Who may do what is
decided in tracker.permissions; every transition goes through tracker.review."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from tracker import paging, permissions, review, time_zones
from tracker.models import (
    Commitment,
    Deadline,
    Evidence,
    Profile,
    ProgressUpdate,
)
from tracker.reporting import submissions
from tracker.reporting.forms import EnglishVersionForm, ProfileForm, ReportForms, ReturnForm

State = ProgressUpdate.ReviewState
PAGE_SIZE = 50


def _require_tracker_access(user) -> None:
    if not permissions.has_tracker_access(user):
        raise PermissionDenied


def _render(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    context = {"perms_review": permissions.can_review(request.user), **context}
    return render(request, f"tracker/reporting/{template}", context)


def _commitments_of(user):
    return Commitment.objects.for_countries(permissions.countries_of(user))


@login_required
def start(request: HttpRequest) -> HttpResponse:
    """Where "Sign in" leads: focal points to their commitments, network staff to the
    review queue when updates wait (the admin otherwise)."""
    if permissions.is_network_staff(request.user):
        if ProgressUpdate.objects.waiting().exists():
            return redirect("tracker:review_queue")
        return redirect("admin:index")
    if permissions.has_tracker_access(request.user):
        return redirect("tracker:my_commitments")
    return redirect("admin:index")


@login_required
def my_commitments(request: HttpRequest) -> HttpResponse:
    """A focal point's landing page: their countries' commitments, those needing action
    (returned, drafts, deadlines past due, never reported) first."""
    _require_tracker_access(request.user)
    commitments = _commitments_of(request.user).with_review_state()
    page = Paginator(commitments, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "waiting_for_me": permissions.is_network_staff(request.user)
        and ProgressUpdate.objects.waiting().exists(),
    }
    return _render(request, "my_commitments.html", context)


@login_required
def report_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """One form for everything an update carries; a refusal keeps everything typed."""
    _require_tracker_access(request.user)
    commitment = get_object_or_404(
        _commitments_of(request.user).select_related(
            "recommendation__paragraph__consultation", "country", "latest_accepted_update"
        ),
        pk=pk,
    )
    if not permissions.can_report_on(request.user, commitment):
        raise PermissionDenied
    update = submissions.open_update(request.user, commitment)
    if request.method == "POST":
        sent = submissions.already_sent(request.user, request.POST.get("submission_key"))
        if sent is not None:
            return redirect("tracker:report_sent", pk=sent.pk)
        forms = ReportForms(
            update=update, user=request.user, data=request.POST, files=request.FILES
        )
        submitting = request.POST.get("send") != "draft"
        if forms.is_valid(submitting=submitting) and submissions.save_report(
            forms, by=request.user, submitting=submitting
        ):
            return redirect("tracker:report_sent", pk=forms.update.pk)
    else:
        forms = ReportForms(update=update, user=request.user)
    context = {
        "commitment": commitment,
        "update": update,
        "forms": forms,
        "public_evidence": commitment.evidence.public().order_by("-date", "-pk")[:20],
        "open_deadlines": Deadline.objects.public().open().filter(commitment=commitment),
        "errors": forms.errors() if forms.form.is_bound else [],
    }
    return _render(request, "report.html", context)


@login_required
def report_sent(request: HttpRequest, pk: int) -> HttpResponse:
    """What happens next, after an update is saved or submitted."""
    _require_tracker_access(request.user)
    update = get_object_or_404(
        ProgressUpdate.objects.for_countries(permissions.countries_of(request.user))
        .filter(author=request.user)
        .select_related("commitment__recommendation", "commitment__country"),
        pk=pk,
    )
    return _render(request, "sent.html", {"update": update})


@login_required
def account_settings(request: HttpRequest) -> HttpResponse:
    """A person's own settings: the time zone they read times in."""
    profile = Profile.objects.filter(user=request.user).first() or Profile(user=request.user)
    form = ProfileForm(request.POST or None, instance=profile)
    if form.is_valid():
        form.save()
        request.session["time_zone"] = time_zones.zone_name_for(request.user)
        messages.success(
            request,
            _("Saved. Times are now shown in %(zone)s.") % {"zone": request.session["time_zone"]},
        )
        return redirect("tracker:account_settings")
    zone = time_zones.zone_name_for(request.user)
    return _render(request, "account.html", {"form": form, "zone": zone})


# --- review -------------------------------------------------------------------------------


def _require_reviewer(user) -> None:
    if not permissions.can_review(user):
        raise PermissionDenied


@login_required
def review_queue(request: HttpRequest) -> HttpResponse:
    """Updates waiting for review, oldest first."""
    _require_reviewer(request.user)
    waiting = (
        ProgressUpdate.objects.waiting()
        .select_related("commitment__recommendation", "commitment__country", "author")
        .order_by("created_at", "pk")
    )
    page = paging.page_by_ids(request.GET.get("page"), waiting, PAGE_SIZE)
    return _render(request, "review_queue.html", {"page": page})


def _next_waiting(after: ProgressUpdate):
    waiting = ProgressUpdate.objects.waiting().exclude(pk=after.pk).order_by("created_at", "pk")
    return waiting.first()


@login_required
def review_update(request: HttpRequest, pk: int) -> HttpResponse:
    """One update beside what the public sees today: Accept, or Return with a comment.
    After either, the next waiting update opens."""
    _require_reviewer(request.user)
    update = get_object_or_404(
        ProgressUpdate.objects.select_related(
            "commitment__recommendation__paragraph__consultation",
            "commitment__country",
            "commitment__latest_accepted_update",
            "author",
            "reviewer",
        ),
        pk=pk,
    )
    return_form = ReturnForm()
    english_form = EnglishVersionForm(instance=update)
    if request.method == "POST" and request.POST.get("decision") == "translate":
        english_form = EnglishVersionForm(request.POST, instance=update)
        if english_form.is_valid():
            try:
                review.translate(update, by=request.user, english=english_form.cleaned_data)
            except review.ReviewRefused as refused:
                messages.error(request, str(refused))
            else:
                messages.success(
                    request, _("Saved: English pages show this version, marked as a translation.")
                )
            return redirect("tracker:review_update", pk=update.pk)
    elif request.method == "POST" and update.review_state == State.SUBMITTED:
        try:
            done, return_form = _decide(request, update)
        except review.ReviewRefused as refused:
            messages.error(request, str(refused))
            return redirect("tracker:review_update", pk=update.pk)
        if done:
            messages.success(request, done)
            following = _next_waiting(update)
            if following is not None:
                return redirect("tracker:review_update", pk=following.pk)
            return redirect("tracker:review_queue")
    commitment = update.commitment
    context = {
        "update": update,
        "commitment": commitment,
        "return_form": return_form,
        "english_form": english_form if permissions.can_translate(request.user, update) else None,
        "is_waiting": update.review_state == State.SUBMITTED,
        "new_evidence": update.evidence.all(),
        "new_deadlines": update.deadlines.all(),
        "deadline_changes": update.deadline_changes.select_related("deadline"),
        "evidence_changes": update.evidence_changes.select_related("evidence"),
        "all_evidence": Evidence.objects.filter(commitment=commitment)
        .exclude(update=update)
        .order_by("-date", "-pk"),
        "history": commitment.updates.exclude(pk=update.pk)
        .filter(review_state__in=[State.ACCEPTED, State.WITHDRAWN, State.RETURNED])
        .select_related("author", "reviewer")
        .order_by("-created_at", "-pk")[:10],
        "waiting_count": ProgressUpdate.objects.waiting().count(),
    }
    return _render(request, "review.html", context)


def _decide(request: HttpRequest, update: ProgressUpdate) -> tuple[str, ReturnForm]:
    """Accept or return the update at the version the reviewer read. Returns what was done
    ("" if nothing: a return without a comment) and the return form, to show again."""
    seen = request.POST.get("seen_version", "")
    seen_version = int(seen) if seen.isdigit() else None
    decision = request.POST.get("decision")
    if decision == "accept":
        review.accept(update, by=request.user, seen_version=seen_version)
        return _("Accepted: it is public now, and its author has been told."), ReturnForm()
    form = ReturnForm(request.POST)
    if decision != "return" or not form.is_valid():
        return "", form
    comment = form.cleaned_data["comment"]
    review.return_for_changes(update, by=request.user, comment=comment, seen_version=seen_version)
    return _("Returned to its author with your comment."), ReturnForm()
