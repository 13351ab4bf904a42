from django.conf import settings

from tracker import page_cache
from tracker.models import ProgressUpdate, Status


def demo_data(request) -> dict:
    """Whether the site holds demonstration progress, to say so on every page."""

    def has_demo_data() -> bool:
        return page_cache.remember(
            "has_demo_data", lambda: ProgressUpdate.objects.filter(is_demo=True).exists()
        )

    return {"has_demo_data": has_demo_data}


def site_facts(request) -> dict:
    """What every page may show: the status definitions, the data's licence, the contact."""
    return {
        "status_legend": Status.legend(),
        "data_licence": {"name": settings.DATA_LICENCE_NAME, "url": settings.DATA_LICENCE_URL},
        "public_contact_email": settings.PUBLIC_CONTACT_EMAIL,
    }
