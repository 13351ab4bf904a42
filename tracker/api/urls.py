from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from tracker.api import submissions, views

router = SimpleRouter()
router.register("consultations", views.Consultations, basename="consultation")
router.register("recommendations", views.Recommendations, basename="recommendation")
router.register("countries", views.Countries, basename="country")
router.register("commitments", views.Commitments, basename="commitment")
router.register("updates", views.Updates, basename="update")
router.register("gcm-objectives", views.GcmObjectives, basename="gcm-objective")
router.register("sdgs", views.Sdgs, basename="sdg")
router.register("submissions", submissions.Submissions, basename="submission")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "docs/",
        # Our page around Swagger UI: its styles in a file, as the CSP allows no inline style.
        SpectacularSwaggerSplitView.as_view(url_name="api:schema", template_name="api/docs.html"),
        name="docs",
    ),
    path("", include(router.urls)),
]
