"""The public pages, as the tests visit them."""

from django.urls import reverse


def public_urls(world) -> list[str]:
    return [
        reverse("tracker:dashboard"),
        reverse("tracker:progress_table"),
        reverse("tracker:progress_table") + "?country=KH&status=in_progress&objective=5&q=health",
        reverse("tracker:recommendation_list"),
        reverse("tracker:recommendation_list") + "?country=TH&status=planned",
        reverse("tracker:recommendation_detail", args=["BM22-R31"]),
        reverse("tracker:country_list"),
        reverse("tracker:country_detail", args=["kh"]),
        reverse("tracker:consultation_list"),
        world.consultation.get_absolute_url(),
        reverse("tracker:update_feed"),
    ]
