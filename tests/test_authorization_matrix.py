"""Who gets what from every URL of the project: the authorization matrix.

Each named URL pattern of the root URLconf has a row in MATRIX below, called with
Cambodia's records as five users: nobody signed in, Cambodia's focal point (A), Thailand's
focal point (B), network staff and a superuser. Each cell is the class of the response:

    ok     200, or a redirect somewhere other than the admin sign-in page (set_language,
           the sign-in page of someone signed in, view on site, a logout)
    login  a redirect to the admin sign-in page
    deny   403, 404 or 405 (a method the URL does not take)

A refused request, and every GET, leaves the data as it was. Adding a URL without a row
(or an unnamed one without a line in IGNORED) makes test_every_url_has_a_row fail, and so
does a history URL without a POST row: history pages are for reading, and a POST to a
version page is a revert, posted with the record's values changed (revert_body), which
test_a_revert_would_change_the_data shows would change the data if it went through.
"""

import dataclasses
import datetime as dt
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.conf import settings as django_settings
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.db.models.fields.files import FieldFile
from django.forms.models import model_to_dict
from django.test import override_settings
from django.urls import URLResolver, get_resolver, reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from consultations.models import (
    Consultation,
    GcmObjective,
    GuidingPrinciple,
    Recommendation,
    Sdg,
    Theme,
)
from tests.factories import (
    SHIPPED_REPORT,
    make_commitment,
    make_consultation,
    make_country,
    make_deadline,
    make_evidence,
    make_focal_point,
    make_staff,
    make_update,
    make_user,
)
from tracker import tasks
from tracker.api import tokens
from tracker.models import (
    ApiToken,
    Commitment,
    Country,
    DeadlineChange,
    Email,
    EvidenceChange,
    FocalPoint,
    PreparedDownload,
    ReportingRound,
    SiteText,
    Subscription,
)

USERS = ("anonymous", "focal_kh", "focal_th", "staff", "superuser")
OK, LOGIN, DENIED = "ok", "login", "deny"

# Arguments name values of the `objects` fixture (Cambodia's records, or the shipped
# report's), joined by commas; "name@v" is the id of the record's latest history version,
# "?name" adds the query string of that name. A POST row starts with "POST"; a POST to a
# history URL carries the revert of its record (post_data). The admin's logout has a POST
# row only: Django logs out on POST alone and answers GET with 405.
MATRIX = """
# URL name                                             arguments     anon  A     B     staff super
# --- public site ------------------------------------------------------------------------------
tracker:dashboard                                      -             ok    ok    ok    ok    ok
health                                                 -             ok    ok    ok    ok    ok
tracker:progress_table                                 -             ok    ok    ok    ok    ok
tracker:progress_export                                csv           ok    ok    ok    ok    ok
tracker:progress_export                                xlsx          ok    ok    ok    ok    ok
tracker:progress_export                                json          ok    ok    ok    ok    ok
tracker:progress_matrix                                -             ok    ok    ok    ok    ok
tracker:download                                       download      ok    ok    ok    ok    ok
tracker:download_file                                  download      ok    ok    ok    ok    ok
tracker:recommendation_list                            -             ok    ok    ok    ok    ok
tracker:recommendation_detail                          code          ok    ok    ok    ok    ok
tracker:country_list                                   -             ok    ok    ok    ok    ok
tracker:country_detail                                 kh            ok    ok    ok    ok    ok
tracker:country_brief                                  kh,docx       ok    ok    ok    ok    ok
tracker:recommendation_brief                           code,docx     ok    ok    ok    ok    ok
tracker:how_it_works                                   -             ok    ok    ok    ok    ok
# --- the read API: public data for anyone; an update not accepted is not there -------------------
api:schema                                             -             ok    ok    ok    ok    ok
api:docs                                               -             ok    ok    ok    ok    ok
api:consultation-list                                  -             ok    ok    ok    ok    ok
api:consultation-detail                                cons_code     ok    ok    ok    ok    ok
api:recommendation-list                                -             ok    ok    ok    ok    ok
api:recommendation-detail                              code          ok    ok    ok    ok    ok
api:country-list                                       -             ok    ok    ok    ok    ok
api:country-detail                                     kh            ok    ok    ok    ok    ok
api:commitment-list                                    -             ok    ok    ok    ok    ok
api:commitment-detail                                  kh31          ok    ok    ok    ok    ok
api:update-list                                        -             ok    ok    ok    ok    ok
api:update-detail                                      accepted      ok    ok    ok    ok    ok
api:update-detail                                      upd           deny  deny  deny  deny  deny
api:gcm-objective-list                                 -             ok    ok    ok    ok    ok
api:gcm-objective-detail                               objective_no  ok    ok    ok    ok    ok
api:sdg-list                                           -             ok    ok    ok    ok    ok
api:sdg-detail                                         sdg_no        ok    ok    ok    ok    ok
api:submission-list                                    -             deny  deny  deny  deny  deny
POST api:submission-list                               -             deny  deny  deny  deny  deny
api:submission-detail                                  upd           deny  deny  deny  deny  deny
tracker:update_feed                                    -             ok    ok    ok    ok    ok
tracker:evidence_file                                  public_ev     ok    ok    ok    ok    ok
tracker:evidence_file                                  ev            deny  ok    deny  ok    ok
tracker:consultation_list                              -             ok    ok    ok    ok    ok
tracker:consultation_detail                            slug          ok    ok    ok    ok    ok
set_language                                           -             ok    ok    ok    ok    ok
POST choose_calendar                                   -             ok    ok    ok    ok    ok
# --- following by email: anyone asks, and confirms or stops with the key the email gave -------
tracker:follow                                         countries,kh  ok    ok    ok    ok    ok
POST tracker:follow                                    countries,kh  ok    ok    ok    ok    ok
tracker:follow_confirm                                 sub_key       ok    ok    ok    ok    ok
POST tracker:follow_confirm                            sub_key       ok    ok    ok    ok    ok
tracker:follow_stop                                    sub_key       ok    ok    ok    ok    ok
POST tracker:follow_stop                               sub_key       ok    ok    ok    ok    ok
tracker:follow_privacy                                 -             ok    ok    ok    ok    ok
# --- reporting (focal points) and review (network staff) ------------------------------------
tracker:start                                          -             login ok    ok    ok    ok
tracker:my_commitments                                 -             login ok    ok    ok    ok
tracker:report_progress                                kh31          login ok    deny  ok    ok
POST tracker:report_progress                           kh31          login ok    deny  ok    ok
tracker:report_sent                                    upd           login ok    deny  deny  deny
tracker:review_queue                                   -             login deny  deny  ok    ok
tracker:account_settings                               -             login ok    ok    ok    ok
POST tracker:account_settings                          -             login ok    ok    ok    ok
tracker:enrol_two_factor                               -             login ok    ok    ok    ok
POST tracker:enrol_two_factor                          -             login ok    ok    ok    ok
tracker:recovery_codes                                 -             login ok    ok    ok    ok
tracker:review_update                                  upd           login deny  deny  ok    ok
POST tracker:review_update                             upd           login deny  deny  ok    ok
# --- forgotten passwords and invitations (Django's views) -------------------------------------
admin_password_reset                                   -             ok    ok    ok    ok    ok
POST admin_password_reset                              -             ok    ok    ok    ok    ok
password_reset_done                                    -             ok    ok    ok    ok    ok
password_reset_confirm                                 uid,token     ok    ok    ok    ok    ok
password_reset_complete                                -             ok    ok    ok    ok    ok
# --- the admin site itself ---------------------------------------------------------------------
admin:login                                            -             ok    ok    ok    ok    ok
POST admin:logout                                      -             ok    ok    ok    ok    ok
admin:password_change                                  -             login ok    ok    ok    ok
admin:password_change_done                             -             login ok    ok    ok    ok
admin:index                                            -             login ok    ok    ok    ok
admin:app_list                                         tracker       login ok    ok    ok    ok
admin:app_list                                         consultations login deny  deny  ok    ok
admin:app_list                                         auth          login deny  deny  ok    ok
admin:jsi18n                                           -             login ok    ok    ok    ok
admin:autocomplete                                     ?user_search  login deny  deny  ok    ok
admin:autocomplete                                     ?commitment_search login ok ok   ok    ok
admin:view_on_site                                     cons_ct,cons  login ok    ok    ok    ok
# --- tracking: commitments -------------------------------------------------------------------
admin:tracker_commitment_changelist                    -             login ok    ok    ok    ok
admin:tracker_commitment_add                           -             login deny  deny  ok    ok
admin:tracker_commitment_change                        kh31          login ok    deny  ok    ok
admin:tracker_commitment_history                       kh31          login ok    deny  ok    ok
admin:tracker_commitment_simple_history                kh31,kh31@v   login ok    deny  ok    ok
admin:tracker_commitment_delete                        kh31          login deny  deny  ok    ok
admin:tracker_commitment_import                        -             login ok    ok    ok    ok
admin:tracker_commitment_export                        -             login ok    ok    ok    ok
admin:tracker_commitment_process_import                -             login deny  deny  deny  deny
POST admin:tracker_commitment_process_import           -             login deny  deny  deny  deny
# --- tracking: progress updates; evidence and deadlines, which focal points add with an update --
admin:tracker_progressupdate_changelist                -             login ok    ok    ok    ok
admin:tracker_progressupdate_add                       -             login ok    ok    ok    ok
admin:tracker_progressupdate_add                       ?for_kh31     login ok    deny  ok    ok
admin:tracker_progressupdate_change                    upd           login ok    deny  ok    ok
admin:tracker_progressupdate_history                   upd           login ok    deny  ok    ok
admin:tracker_progressupdate_simple_history            upd,upd@v     login ok    deny  ok    ok
admin:tracker_progressupdate_delete                    upd           login deny  deny  ok    ok
admin:tracker_progressupdate_delete                    accepted      login deny  deny  deny  deny
POST admin:tracker_progressupdate_delete               accepted      login deny  deny  deny  deny
admin:tracker_evidence_changelist                      -             login ok    ok    ok    ok
admin:tracker_evidence_add                             -             login deny  deny  ok    ok
admin:tracker_evidence_add                             ?for_kh31     login deny  deny  ok    ok
admin:tracker_evidence_change                          ev            login ok    deny  ok    ok
admin:tracker_evidence_history                         ev            login ok    deny  ok    ok
admin:tracker_evidence_simple_history                  ev,ev@v       login ok    deny  ok    ok
admin:tracker_evidence_delete                          ev            login deny  deny  ok    ok
admin:tracker_deadline_changelist                      -             login ok    ok    ok    ok
admin:tracker_deadline_add                             -             login deny  deny  ok    ok
admin:tracker_deadline_add                             ?for_kh31     login deny  deny  ok    ok
admin:tracker_deadline_change                          dl            login ok    deny  ok    ok
admin:tracker_deadline_history                         dl            login ok    deny  ok    ok
admin:tracker_deadline_simple_history                  dl,dl@v       login ok    deny  ok    ok
admin:tracker_deadline_delete                          dl            login deny  deny  ok    ok
# --- tracking: countries and their focal points (staff only) ----------------------------------
admin:tracker_country_changelist                       -             login deny  deny  ok    ok
admin:tracker_country_add                              -             login deny  deny  ok    ok
admin:tracker_country_change                           kh_pk         login deny  deny  ok    ok
admin:tracker_country_history                          kh_pk         login deny  deny  ok    ok
admin:tracker_country_delete                           kh_pk         login deny  deny  ok    ok
# --- reporting rounds (staff only) ---------------------------------------------------------------
admin:tracker_reportinground_changelist                -             login deny  deny  ok    ok
admin:tracker_reportinground_add                       -             login deny  deny  ok    ok
admin:tracker_reportinground_change                    round         login deny  deny  ok    ok
admin:tracker_reportinground_history                   round         login deny  deny  ok    ok
admin:tracker_reportinground_delete                    round         login deny  deny  ok    ok
# --- pages of text ("How this tracker works"): staff write them -----------------------------------
admin:tracker_sitetext_changelist                      -             login deny  deny  ok    ok
admin:tracker_sitetext_add                             -             login deny  deny  ok    ok
admin:tracker_sitetext_change                          text          login deny  deny  ok    ok
admin:tracker_sitetext_history                         text          login deny  deny  ok    ok
admin:tracker_sitetext_simple_history                  text,text@v   login deny  deny  ok    ok
admin:tracker_sitetext_delete                          text          login deny  deny  ok    ok
# --- API tokens: focal points make their own; network staff see and revoke any, and hold none -----
admin:tracker_apitoken_changelist                      -             login ok    ok    ok    ok
admin:tracker_apitoken_add                             -             login ok    ok    deny  deny
admin:tracker_apitoken_change                          api_token     login ok    deny  ok    ok
admin:tracker_apitoken_history                        api_token     login ok    deny  ok    ok
admin:tracker_apitoken_delete                          api_token     login deny  deny  deny  deny
POST admin:tracker_apitoken_delete                     api_token     login deny  deny  deny  deny
# --- addresses following by email: network staff's alone; only their owners add them ------------
admin:tracker_subscription_changelist                  -             login deny  deny  ok    ok
admin:tracker_subscription_add                         -             login deny  deny  deny  deny
admin:tracker_subscription_change                      sub           login deny  deny  ok    ok
admin:tracker_subscription_history                     sub           login deny  deny  ok    ok
admin:tracker_subscription_delete                      sub           login deny  deny  ok    ok
admin:tracker_email_changelist                         -             login deny  deny  ok    ok
admin:tracker_email_add                                -             login deny  deny  deny  deny
admin:tracker_email_change                             email         login deny  deny  ok    ok
admin:tracker_email_history                            email         login deny  deny  ok    ok
admin:tracker_email_delete                             email         login deny  deny  deny  deny
# --- people and their roles: network staff's; accounts are never deleted, superusers' are theirs -
admin:tracker_person_changelist                        -             login deny  deny  ok    ok
admin:tracker_person_add                               -             login deny  deny  ok    ok
admin:tracker_person_change                            user          login deny  deny  ok    ok
admin:tracker_person_change                            super_pk      login deny  deny  deny  ok
admin:tracker_person_history                           user          login deny  deny  ok    ok
admin:tracker_person_delete                            user          login deny  deny  deny  deny
POST admin:tracker_person_delete                       user          login deny  deny  deny  deny
# --- reports: staff read them; what comes from a report changes only by importing it ----------
admin:consultations_consultation_import                -             login deny  deny  ok    ok
POST admin:consultations_consultation_import           -             login deny  deny  ok    ok
admin:consultations_consultation_changelist            -             login deny  deny  ok    ok
admin:consultations_consultation_add                   -             login deny  deny  deny  deny
admin:consultations_consultation_change                cons          login deny  deny  ok    ok
admin:consultations_consultation_history               cons          login deny  deny  ok    ok
admin:consultations_consultation_delete                cons          login deny  deny  ok    ok
admin:consultations_section_changelist                 -             login deny  deny  ok    ok
admin:consultations_section_add                        -             login deny  deny  deny  deny
admin:consultations_section_change                     sect          login deny  deny  ok    ok
admin:consultations_section_history                    sect          login deny  deny  ok    ok
admin:consultations_section_delete                     sect          login deny  deny  deny  deny
admin:consultations_paragraph_changelist               -             login deny  deny  ok    ok
admin:consultations_paragraph_add                      -             login deny  deny  deny  deny
admin:consultations_paragraph_change                   para          login deny  deny  ok    ok
admin:consultations_paragraph_history                  para          login deny  deny  ok    ok
admin:consultations_paragraph_simple_history           para,para@v   login deny  deny  ok    ok
admin:consultations_paragraph_delete                   para          login deny  deny  deny  deny
admin:consultations_recommendation_changelist          -             login deny  deny  ok    ok
admin:consultations_recommendation_add                 -             login deny  deny  deny  deny
admin:consultations_recommendation_change              rec           login deny  deny  ok    ok
admin:consultations_recommendation_history             rec           login deny  deny  ok    ok
admin:consultations_recommendation_simple_history      rec,rec@v     login deny  deny  ok    ok
admin:consultations_recommendation_delete              rec           login deny  deny  deny  deny
admin:consultations_agendaitem_changelist              -             login deny  deny  ok    ok
admin:consultations_agendaitem_add                     -             login deny  deny  deny  deny
admin:consultations_agendaitem_change                  agenda        login deny  deny  ok    ok
admin:consultations_agendaitem_history                 agenda        login deny  deny  ok    ok
admin:consultations_agendaitem_delete                  agenda        login deny  deny  deny  deny
# --- reference lists: read-only, except themes, which staff keep -------------------------------
admin:consultations_gcmobjective_changelist            -             login deny  deny  ok    ok
admin:consultations_gcmobjective_add                   -             login deny  deny  deny  deny
admin:consultations_gcmobjective_change                objective     login deny  deny  ok    ok
admin:consultations_gcmobjective_history               objective     login deny  deny  ok    ok
admin:consultations_gcmobjective_delete                objective     login deny  deny  deny  deny
admin:consultations_sdg_changelist                     -             login deny  deny  ok    ok
admin:consultations_sdg_add                            -             login deny  deny  deny  deny
admin:consultations_sdg_change                         sdg           login deny  deny  ok    ok
admin:consultations_sdg_history                        sdg           login deny  deny  ok    ok
admin:consultations_sdg_delete                         sdg           login deny  deny  deny  deny
admin:consultations_guidingprinciple_changelist        -             login deny  deny  ok    ok
admin:consultations_guidingprinciple_add               -             login deny  deny  deny  deny
admin:consultations_guidingprinciple_change            principle     login deny  deny  ok    ok
admin:consultations_guidingprinciple_history           principle     login deny  deny  ok    ok
admin:consultations_guidingprinciple_delete            principle     login deny  deny  deny  deny
admin:consultations_theme_changelist                   -             login deny  deny  ok    ok
admin:consultations_theme_add                          -             login deny  deny  ok    ok
admin:consultations_theme_change                       theme         login deny  deny  ok    ok
admin:consultations_theme_history                      theme         login deny  deny  ok    ok
admin:consultations_theme_delete                       theme         login deny  deny  ok    ok
# --- accounts: the superuser's; network staff hold no permission on them ----------------------
admin:auth_user_changelist                             -             login deny  deny  ok    ok
admin:auth_user_add                                    -             login deny  deny  deny  ok
admin:auth_user_change                                 user          login deny  deny  ok    ok
admin:auth_user_history                                user          login deny  deny  ok    ok
admin:auth_user_delete                                 user          login deny  deny  deny  ok
admin:auth_user_password_change                        user          login deny  deny  deny  ok
admin:auth_group_changelist                            -             login deny  deny  deny  ok
admin:auth_group_add                                   -             login deny  deny  deny  ok
admin:auth_group_change                                group         login deny  deny  deny  ok
admin:auth_group_history                               group         login deny  deny  deny  ok
admin:auth_group_delete                                group         login deny  deny  deny  ok
# --- sign-in throttling records and two-factor devices: the superuser's as well -----------------
admin:axes_accessattempt_changelist                    -             login deny  deny  deny  ok
admin:axes_accessattempt_add                           -             login deny  deny  deny  deny
admin:axes_accessattempt_change                        attempt       login deny  deny  deny  ok
admin:axes_accessattempt_history                       attempt       login deny  deny  deny  ok
admin:axes_accessattempt_delete                        attempt       login deny  deny  deny  ok
admin:django_tasks_database_dbtaskresult_changelist    -             login deny  deny  deny  ok
admin:django_tasks_database_dbtaskresult_add           -             login deny  deny  deny  deny
admin:django_tasks_database_dbtaskresult_change        task          login deny  deny  deny  ok
admin:django_tasks_database_dbtaskresult_history       task          login deny  deny  deny  ok
admin:django_tasks_database_dbtaskresult_delete        task          login deny  deny  deny  deny
admin:axes_accesslog_changelist                        -             login deny  deny  deny  ok
admin:axes_accesslog_add                               -             login deny  deny  deny  deny
admin:axes_accesslog_change                            access        login deny  deny  deny  ok
admin:axes_accesslog_history                           access        login deny  deny  deny  ok
admin:axes_accesslog_delete                            access        login deny  deny  deny  ok
admin:axes_accessfailurelog_changelist                 -             login deny  deny  deny  ok
admin:axes_accessfailurelog_add                        -             login deny  deny  deny  deny
admin:axes_accessfailurelog_change                     failure       login deny  deny  deny  ok
admin:axes_accessfailurelog_history                    failure       login deny  deny  deny  ok
admin:axes_accessfailurelog_delete                     failure       login deny  deny  deny  ok
admin:otp_totp_totpdevice_changelist                   -             login deny  deny  deny  ok
admin:otp_totp_totpdevice_add                          -             login deny  deny  deny  ok
admin:otp_totp_totpdevice_change                       device        login deny  deny  deny  ok
admin:otp_totp_totpdevice_history                      device        login deny  deny  deny  ok
admin:otp_totp_totpdevice_delete                       device        login deny  deny  deny  ok
admin:otp_totp_totpdevice_config                       device        login deny  deny  deny  ok
admin:otp_totp_totpdevice_qrcode                       device        login deny  deny  deny  ok
admin:otp_static_staticdevice_changelist               -             login deny  deny  deny  ok
admin:otp_static_staticdevice_add                      -             login deny  deny  deny  ok
admin:otp_static_staticdevice_change                   codes         login deny  deny  deny  ok
admin:otp_static_staticdevice_history                  codes         login deny  deny  deny  ok
admin:otp_static_staticdevice_delete                   codes         login deny  deny  deny  ok
# --- history pages are for reading: a POST (a revert, on a version page) is refused, 405 ---------
POST admin:tracker_commitment_history                  kh31          login deny  deny  deny  deny
POST admin:tracker_commitment_simple_history           kh31,kh31@v   login deny  deny  deny  deny
POST admin:tracker_progressupdate_history              upd           login deny  deny  deny  deny
POST admin:tracker_progressupdate_simple_history       upd,upd@v     login deny  deny  deny  deny
POST admin:tracker_evidence_history                    ev            login deny  deny  deny  deny
POST admin:tracker_evidence_simple_history             ev,ev@v       login deny  deny  deny  deny
POST admin:tracker_deadline_history                    dl            login deny  deny  deny  deny
POST admin:tracker_deadline_simple_history             dl,dl@v       login deny  deny  deny  deny
POST admin:tracker_country_history                     kh_pk         login deny  deny  deny  deny
POST admin:tracker_person_history                      user          login deny  deny  deny  deny
POST admin:django_tasks_database_dbtaskresult_history  task          login deny  deny  deny  deny
POST admin:tracker_reportinground_history              round         login deny  deny  deny  deny
POST admin:tracker_sitetext_history                    text          login deny  deny  deny  deny
POST admin:tracker_apitoken_history                    api_token     login deny  deny  deny  deny
POST admin:tracker_subscription_history                sub           login deny  deny  deny  deny
POST admin:tracker_email_history                       email         login deny  deny  deny  deny
POST admin:tracker_sitetext_simple_history             text,text@v   login deny  deny  deny  deny
POST admin:consultations_consultation_history          cons          login deny  deny  deny  deny
POST admin:consultations_section_history               sect          login deny  deny  deny  deny
POST admin:consultations_paragraph_history             para          login deny  deny  deny  deny
POST admin:consultations_paragraph_simple_history      para,para@v   login deny  deny  deny  deny
POST admin:consultations_recommendation_history        rec           login deny  deny  deny  deny
POST admin:consultations_recommendation_simple_history rec,rec@v     login deny  deny  deny  deny
POST admin:consultations_agendaitem_history            agenda        login deny  deny  deny  deny
POST admin:consultations_gcmobjective_history          objective     login deny  deny  deny  deny
POST admin:consultations_sdg_history                   sdg           login deny  deny  deny  deny
POST admin:consultations_guidingprinciple_history      principle     login deny  deny  deny  deny
POST admin:consultations_theme_history                 theme         login deny  deny  deny  deny
POST admin:auth_user_history                           user          login deny  deny  deny  deny
POST admin:auth_group_history                          group         login deny  deny  deny  deny
POST admin:axes_accessattempt_history                  attempt       login deny  deny  deny  deny
POST admin:axes_accesslog_history                      access        login deny  deny  deny  deny
POST admin:axes_accessfailurelog_history               failure       login deny  deny  deny  deny
POST admin:otp_totp_totpdevice_history                 device        login deny  deny  deny  deny
POST admin:otp_static_staticdevice_history             codes         login deny  deny  deny  deny
"""

# Cells where the code does not do what a careful user would expect; strict, so that a fix
# shows up as a failure here and the entry must be removed.
# (row id, user): (reason, what the request does instead: a wrong outcome or an exception)
XFAIL: dict[tuple[str, str], tuple[str, type[Exception]]] = {}

# Patterns without a name, which no row can reverse: route -> why leaving them out is safe.
IGNORED = {
    "favicon.ico": "redirects everyone to the static favicon.svg; no data behind it",
    "admin/(?P<url>.*)$": "the admin's final catch-all: only redirects or 404s unknown paths",
    **{
        f"admin/{model}/<path:object_id>/": (
            "the admin's old object URL: redirects to the change view, which has its rows"
        )
        for model in (
            "auth/group",
            "auth/user",
            "axes/accessattempt",
            "axes/accesslog",
            "axes/accessfailurelog",
            "django_tasks_database/dbtaskresult",
            "otp_totp/totpdevice",
            "otp_static/staticdevice",
            "consultations/consultation",
            "consultations/section",
            "consultations/paragraph",
            "consultations/recommendation",
            "consultations/agendaitem",
            "consultations/gcmobjective",
            "consultations/sdg",
            "consultations/guidingprinciple",
            "consultations/theme",
            "tracker/commitment",
            "tracker/progressupdate",
            "tracker/reportinground",
            "tracker/sitetext",
            "tracker/apitoken",
            "tracker/subscription",
            "tracker/email",
            "tracker/evidence",
            "tracker/deadline",
            "tracker/country",
            "tracker/person",
        )
    },
}

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@dataclasses.dataclass(frozen=True)
class Row:
    name: str
    arguments: str
    expect: dict[str, str]
    method: str

    @property
    def id(self) -> str:
        suffix = "" if self.arguments == "-" else f"[{self.arguments}]"
        return f"{'POST ' if self.method == 'post' else ''}{self.name}{suffix}"

    def url(self, objects: dict) -> str:
        args, query = [], {}
        for token in [] if self.arguments == "-" else self.arguments.split(","):
            if token.startswith("?"):
                query.update(objects[token[1:]])
            else:
                args.append(objects[token])
        url = reverse(self.name, args=args)
        return f"{url}?{urlencode(query)}" if query else url


def parse(table: str, columns=USERS, cells_allowed=(OK, LOGIN, DENIED)) -> list[Row]:
    rows = []
    for line in table.strip().splitlines():
        if line.startswith("#"):
            continue
        *method, name, arguments = line.split()[: -len(columns)]
        cells = line.split()[-len(columns) :]
        assert set(cells) <= set(cells_allowed) and method in ([], ["POST"]), line
        expect = dict(zip(columns, cells, strict=True))
        rows.append(Row(name, arguments, expect, "post" if method else "get"))
    return rows


ROWS = parse(MATRIX)


def cases():
    for row in ROWS:
        xfails = {user: XFAIL[row.id, user] for user in USERS if (row.id, user) in XFAIL}
        marks = (
            [pytest.mark.xfail(strict=True, reason="; ".join(r for r, _ in xfails.values()))]
            if xfails
            else []
        )
        yield pytest.param(row, marks=marks, id=row.id)


# --- the records the rows point at --------------------------------------------------------


@pytest.fixture(scope="module")
def matrix_files(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("matrix")


def file_settings(folder: Path) -> dict:
    storages = {
        **django_settings.STORAGES,
        "evidence": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": folder / "evidence"},
        },
    }
    return {"MEDIA_ROOT": folder, "STORAGES": storages}


@pytest.fixture(autouse=True)
def evidence_storage(settings, matrix_files):
    """The module's records keep their files in one folder for all its tests."""
    for name, value in file_settings(matrix_files).items():
        setattr(settings, name, value)


@pytest.fixture(scope="module")
def module_objects(django_db_setup, django_db_blocker, matrix_files):
    """The records the rows point at, made once for the module inside a transaction that is
    rolled back after its last test. Each test runs in a savepoint within it (as Django's
    TestCase.setUpTestData does), so whatever a request changes is undone before the next.
    """
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=fast, **file_settings(matrix_files)),
    ):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield build_objects()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def objects(db, module_objects):
    return module_objects


def build_objects() -> dict:
    consultation = make_consultation()
    r31, r32 = (Recommendation.objects.get(code=f"BM22-R{n}") for n in (31, 32))
    cambodia, thailand = make_country("KH"), make_country("TH")
    kh_31, kh_32 = make_commitment(r31, cambodia), make_commitment(r32, cambodia)
    for recommendation, country in [(r31, thailand), (r32, thailand)]:
        make_commitment(recommendation, country)
    staff = make_staff("nina.staff")
    focal_kh = make_focal_point("kim.cambodia", cambodia)
    focal_th = make_focal_point("tida.thailand", thailand)
    superuser = make_user("sam.super", is_staff=True, is_superuser=True)

    update = make_update(kh_31, focal_kh)  # submitted, so still the focal point's to change
    accepted = make_update(kh_32, focal_kh, accepted_by=staff)  # public: never deleted
    evidence = make_evidence(
        kh_31, focal_kh, visibility="internal", file=ContentFile(PDF, name="internal.pdf")
    )
    public_evidence = make_evidence(
        kh_31, focal_kh, visibility="public", file=ContentFile(PDF, name="public.pdf")
    )
    deadline = make_deadline(kh_31, focal_kh, due_date=dt.date(2030, 1, 1))
    paragraph = r31.paragraph
    theme = Theme.objects.first() or Theme.objects.create(name="Border management")
    membership = FocalPoint.objects.get(user=focal_kh, country=cambodia)

    signin = {
        "username": focal_kh.username,
        "ip_address": "203.0.113.7",
        "user_agent": "Firefox",
        "http_accept": "text/html",
        "path_info": "/admin/login/",
    }

    def version(obj) -> int:
        return obj.history.first().history_id

    now = timezone.now()
    secrets = {}
    for scope, holder, fields in [
        ("token_kh", focal_kh, {}),
        ("token_th", focal_th, {}),
        ("revoked", focal_kh, {"revoked_at": now}),
        ("expired", focal_kh, {"expires_at": now - dt.timedelta(seconds=1)}),
    ]:
        token = ApiToken(user=holder, name=scope, expires_at=now + dt.timedelta(days=30))
        secrets[scope] = token.new_secret()
        token.last_used_at = now  # used just now: a request writes no new time (see the test)
        for name, value in fields.items():
            setattr(token, name, value)
        token.save()
        if scope == "token_kh":
            api_token = token

    subscription = Subscription.objects.create(
        email="follower@example.org", country=cambodia, key=Subscription.new_key()
    )
    download = PreparedDownload.objects.create(
        key="a" * 64,
        kind="progress",
        params={"query": ""},
        language="en",
        filename="gcm-progress.xlsx",
        content_type="application/octet-stream",
        content=b"made",
        ready_at=now,
    )
    task = tasks.purge_uploads.using(backend="database").enqueue()
    email = Email.objects.create(subject="Invited", body="Hello", to=["new@example.org"])

    site_text = SiteText.objects.get(page="how-it-works", language="en")
    site_text.save()  # a version of its own, to open

    # What a revert of each record would post, as the form of its version page: the
    # record's values with some changed, so that a POST that went through changes the data
    # (test_a_revert_would_change_the_data shows it does, past the site's refusal).
    reverts = {
        "kh31": revert_body(kh_31, response="supported", lead_agency="Restored ministry"),
        "upd": revert_body(
            update,
            status="implemented",
            narrative="restored",
            challenges="restored challenges",
            support_needed="restored support",
            response="noted",
            lead_agency="Restored agency",
        ),
        "ev": revert_body(evidence, title="restored", visibility="public", note="restored"),
        "dl": revert_body(
            deadline, description="restored", due_date=dt.date(2031, 6, 30), is_done=True
        ),
        "para": revert_body(paragraph, text="restored", number=paragraph.number + 1000),
        "rec": revert_body(r31, short_title="restored"),
        "text": revert_body(site_text, body="restored"),
    }

    return {
        "reverts": reverts,
        "secrets": secrets,
        "api_token": api_token.pk,
        "sub": subscription.pk,
        "sub_key": subscription.key,
        "download": download.key,
        "task": task.id,
        "email": email.pk,
        "countries": "countries",
        "submission": {
            "commitment": kh_32.pk,
            "status": "in_progress",
            "narrative": "Reported by the national system.",
        },
        "users": {
            "focal_kh": focal_kh,
            "focal_th": focal_th,
            "staff": staff,
            "superuser": superuser,
        },
        "kh31": kh_31.pk,
        "kh31@v": version(kh_31),
        "upd": update.pk,
        "upd@v": version(update),
        "accepted": accepted.pk,
        "ev": evidence.pk,
        "ev@v": version(evidence),
        "public_ev": public_evidence.pk,
        "dl": deadline.pk,
        "dl@v": version(deadline),
        **{fmt: fmt for fmt in ("csv", "xlsx", "json", "pdf", "docx")},
        **{app: app for app in ("tracker", "consultations", "auth")},
        "kh": cambodia.code.code.lower(),
        "kh_pk": cambodia.pk,
        # Until Country keeps a history of its own, the only recorded history of Cambodia's
        # country record is that of its focal point memberships.
        "kh@v": version(cambodia if hasattr(Country, "history") else membership),
        "code": r31.code,
        "rec": r31.pk,
        "rec@v": version(r31),
        "cons": consultation.pk,
        "slug": consultation.slug,
        "cons_code": consultation.code,
        "cons_ct": ContentType.objects.get_for_model(Consultation).pk,
        "para": paragraph.pk,
        "para@v": version(paragraph),
        "sect": (paragraph.section or consultation.sections.first()).pk,
        "agenda": consultation.agenda_items.first().pk,
        "objective": (r31.gcm_objectives.first() or GcmObjective.objects.first()).pk,
        "sdg": (r31.sdgs.first() or Sdg.objects.first()).pk,
        "objective_no": GcmObjective.objects.order_by("number").first().number,
        "sdg_no": Sdg.objects.order_by("number").first().number,
        "principle": GuidingPrinciple.objects.first().pk,
        "theme": theme.pk,
        "user": focal_kh.pk,
        "round": make_round(staff, cambodia).pk,
        "text": site_text.pk,
        "text@v": version(site_text),
        # A password link that is not valid: the page says so.
        "uid": urlsafe_base64_encode(force_bytes(focal_kh.pk)),
        "token": "not-a-token",
        "super_pk": superuser.pk,
        "group": Group.objects.get(name="Network staff").pk,
        "attempt": AccessAttempt.objects.create(
            **signin, get_data="", post_data="", failures_since_start=1
        ).pk,
        "access": AccessLog.objects.create(**signin).pk,
        "failure": AccessFailureLog.objects.create(**signin).pk,
        "device": TOTPDevice.objects.create(user=focal_kh, name="Kim's phone").pk,
        "codes": StaticDevice.objects.create(user=focal_kh, name="Recovery codes").pk,
        # ?for_kh31: an add form opened for Cambodia's commitment.
        "for_kh31": {"commitment": kh_31.pk},
        # ?user_search: the user search of the focal point rows on the country form.
        "user_search": {
            "app_label": "tracker",
            "model_name": "focalpoint",
            "field_name": "user",
            "term": "kim",
        },
        # ?commitment_search: the commitment search of an update's add form (Thailand's
        # focal point gets Thailand's: tracker/test_commitment_admin.py).
        "commitment_search": {
            "app_label": "tracker",
            "model_name": "progressupdate",
            "field_name": "commitment",
            "term": "R31",
        },
    }


def make_round(staff, country):
    reporting_round = ReportingRound.objects.create(
        name="IMRF follow-up 2027", due_date=dt.date(2027, 3, 31), created_by=staff
    )
    reporting_round.countries.set([country])
    return reporting_round


def revert_body(obj, **changes) -> dict:
    """The record's field values as its form posts them, with `changes`; a versioned record
    carries its current version, as its form does, so that the check of it passes."""
    body = {}
    for name, value in {**model_to_dict(obj), **changes}.items():
        if value is None or value is False or isinstance(value, FieldFile):
            continue
        if value is True:
            value = "on"
        elif isinstance(value, dt.date):
            value = value.isoformat()
        elif isinstance(value, list | tuple):
            value = [getattr(item, "pk", item) for item in value]
        body[name] = value
    if hasattr(obj, "version"):
        body["expected_version"] = obj.version
    return body


# --- calling and judging ----------------------------------------------------------------------


def post_data(row: Row, objects: dict) -> dict:
    if row.name.endswith("_delete"):
        return {"post": "yes"}  # the confirmation
    if row.name.endswith("history"):
        # A revert of the record; a history list has no form, but gets the same attempt.
        return objects["reverts"].get(row.arguments.split(",")[0], {})
    if row.name == "admin:consultations_consultation_import":
        report = SimpleUploadedFile(SHIPPED_REPORT.name, SHIPPED_REPORT.read_bytes())
        return {"file": report, "dry_run": "on"}
    if row.name == "admin:tracker_commitment_process_import":
        # A confirmation that was never previewed in this session.
        return {
            "import_file_name": "progress.csv",
            "original_file_name": "progress.csv",
            "format": "0",
            "resource": "0",
        }
    return {}


def outcome(response) -> str:
    if response.status_code in (401, 403, 404, 405):
        return DENIED
    if response.status_code in (301, 302):
        location = urlsplit(response["Location"]).path
        return LOGIN if location == reverse("admin:login") else OK
    if response.status_code == 200:
        return OK
    return f"HTTP {response.status_code}"


def snapshot() -> dict:
    """The project's data, to show that a request changed none of it: every record of the
    project's apps (their history and many-to-many tables too), the accounts, their groups
    and devices, and the admin's log of changes."""
    user = get_user_model()
    models = [user, user.groups.through, Group, TOTPDevice, StaticDevice, StaticToken, LogEntry]
    models += [
        model
        for label in ("tracker", "consultations")
        for model in apps.get_app_config(label).get_models(include_auto_created=True)
    ]
    # Named, so that dropping them from the apps above cannot go unnoticed.
    assert {EvidenceChange, DeadlineChange, Commitment.history.model} <= set(models)
    # Read as the database stores them (no model instances): each test takes ten of these.
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        tables = {}
        for model in models:
            table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
            cursor.execute(f"SELECT * FROM {table} ORDER BY {pk}")
            tables[model._meta.label] = cursor.fetchall()
    return tables


@pytest.mark.parametrize("row", list(cases()))
def test_url_for_each_user(client, objects, row):
    """One row of the matrix: its URL called as each user in turn."""
    wrong = []
    for user in USERS:
        client.logout()
        if user != "anonymous":
            client.force_login(objects["users"][user])
        url = row.url(objects)
        before = snapshot()
        if row.method == "post":
            response = client.post(url, post_data(row, objects))
        else:
            response = client.get(url)
        got = outcome(response)
        detail = f"{row.method.upper()} {url} as {user}: {response.status_code}"
        if response.has_header("Location"):
            detail += f" to {response['Location']}"
        if got != row.expect[user]:
            wrong.append(f"{detail} ({got}, expected {row.expect[user]})")
        elif (row.method == "get" or got != OK) and snapshot() != before:
            wrong.append(f"{detail} changed the data")
    assert not wrong, "\n".join(wrong)


# --- the reverts would change the data, were they let through --------------------------------

VERSION_ROWS = [r for r in ROWS if r.method == "post" and r.name.endswith("_simple_history")]
# Who may change the record, so that its version page, taking a POST, would save one.
EDITORS = {"upd": "focal_kh"}  # staff do not edit a focal point's update; its author does


@pytest.mark.parametrize("row", VERSION_ROWS, ids=[row.id for row in VERSION_ROWS])
def test_a_revert_would_change_the_data(rf, objects, row):
    """A POST row of a version page proves something only if its body, processed, changes
    the data. Its view, called past the site's refusal of POSTs (TrackerAdminSite
    .admin_view) but with its own checks of scope and permission, saves the record."""
    token, version_token = row.arguments.split(",")
    app_label, model_name = (
        row.name.removeprefix("admin:").removesuffix("_simple_history").split("_", 1)
    )
    model_admin = admin.site.get_model_admin(apps.get_model(app_label, model_name))
    request = rf.post(row.url(objects), post_data(row, objects))
    request.user = objects["users"][EDITORS.get(token, "superuser")]
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    before = snapshot()

    response = model_admin.history_form_view(
        request, str(objects[token]), str(objects[version_token])
    )

    assert response.status_code == 302, "the revert was not saved"
    assert snapshot() != before


# --- the matrix covers the URLconf ------------------------------------------------------------


def url_patterns(resolver=None, namespace=(), prefix=""):
    """(full name or None, full route) of every pattern, through every include()."""
    for pattern in (resolver or get_resolver()).url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = (*namespace, pattern.namespace) if pattern.namespace else namespace
            yield from url_patterns(pattern, inner, route)
        else:
            yield (":".join((*namespace, pattern.name)) if pattern.name else None), route


def test_every_url_has_a_row():
    patterns = list(url_patterns())
    names = {name for name, _ in patterns if name}
    unnamed = {route for name, route in patterns if not name}
    covered = {row.name for row in ROWS}
    posted = {row.name for row in ROWS if row.method == "post"}
    history = {name for name in names if name.endswith("history")}
    case_ids = {(row.id, user) for row in ROWS for user in USERS}
    problems = {
        "named URLs without a row in MATRIX": sorted(names - covered),
        "history URLs without a POST row": sorted(history - posted),
        "unnamed URLs missing from IGNORED": sorted(unnamed - IGNORED.keys()),
        "rows for URLs that no longer exist": sorted(covered - names),
        "IGNORED routes that no longer exist": sorted(IGNORED.keys() - unnamed),
        "XFAIL entries matching no case": sorted(map(str, XFAIL.keys() - case_ids)),
    }
    problems = {what: items for what, items in problems.items() if items}
    assert not problems, "\n".join(
        f"{what}: {', '.join(items)}" for what, items in problems.items()
    )


def test_row_ids_are_unique():
    ids = [row.id for row in ROWS]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)


# --- the API as each token sees it ------------------------------------------------------------

# Every API URL called with no token, a token of Cambodia's focal point, one of Thailand's,
# a revoked token and an expired one (both Cambodia's). "401": refused as unauthenticated.
# Reading is open to anyone, but a token that is sent and cannot be used is refused
# everywhere; submitting needs a token, and works only for the token's countries.
SCOPES = ("anonymous", "token_kh", "token_th", "revoked", "expired")
UNAUTHENTICATED = "401"
API_MATRIX = """
# URL name                                             arguments     anon  KH    TH    revok expir
api:schema                                             -             ok    ok    ok    401   401
api:docs                                               -             ok    ok    ok    401   401
api:consultation-list                                  -             ok    ok    ok    401   401
api:consultation-detail                                cons_code     ok    ok    ok    401   401
api:recommendation-list                                -             ok    ok    ok    401   401
api:recommendation-detail                              code          ok    ok    ok    401   401
api:country-list                                       -             ok    ok    ok    401   401
api:country-detail                                     kh            ok    ok    ok    401   401
api:commitment-list                                    -             ok    ok    ok    401   401
api:commitment-detail                                  kh31          ok    ok    ok    401   401
api:update-list                                        -             ok    ok    ok    401   401
api:update-detail                                      accepted      ok    ok    ok    401   401
api:update-detail                                      upd           deny  deny  deny  401   401
api:gcm-objective-list                                 -             ok    ok    ok    401   401
api:gcm-objective-detail                               objective_no  ok    ok    ok    401   401
api:sdg-list                                           -             ok    ok    ok    401   401
api:sdg-detail                                         sdg_no        ok    ok    ok    401   401
api:submission-list                                    -             401   ok    ok    401   401
POST api:submission-list                               -             401   ok    deny  401   401
api:submission-detail                                  upd           401   ok    deny  401   401
"""
API_ROWS = parse(API_MATRIX, SCOPES, (OK, DENIED, UNAUTHENTICATED))


def api_outcome(response) -> str:
    if response.status_code == 401:
        return UNAUTHENTICATED
    return OK if response.status_code in (200, 201) else outcome(response)


@pytest.mark.parametrize("row", API_ROWS, ids=[row.id for row in API_ROWS])
def test_api_url_for_each_token(client, objects, row, monkeypatch):
    # The tokens were used a moment ago: no request writes a new "last used" time, so that
    # a GET, or a refused POST, shows as changing nothing.
    monkeypatch.setattr(tokens, "USE_RECORDED_EVERY", dt.timedelta(days=1))
    wrong = []
    for scope in SCOPES:
        headers = {}
        if scope != "anonymous":
            headers["authorization"] = f"Bearer {objects['secrets'][scope]}"
        url = row.url(objects)
        before = snapshot()
        if row.method == "post":
            response = client.post(
                url, objects["submission"], content_type="application/json", headers=headers
            )
        else:
            response = client.get(url, headers=headers)
        got = api_outcome(response)
        detail = f"{row.method.upper()} {url} with {scope}: {response.status_code}"
        if got != row.expect[scope]:
            wrong.append(f"{detail} ({got}, expected {row.expect[scope]})")
        elif (row.method == "get" or got != OK) and snapshot() != before:
            wrong.append(f"{detail} changed the data")
    assert not wrong, "\n".join(wrong)


def test_every_api_url_has_a_row_for_each_token():
    names = {name for name, _ in url_patterns() if name and name.startswith("api:")}
    covered = {row.name for row in API_ROWS}
    assert names == covered, (sorted(names - covered), sorted(covered - names))
    assert {row.id for row in API_ROWS if row.name.startswith("api:")} == {
        row.id for row in ROWS if row.name.startswith("api:")
    }
