from tracker import page_cache
from tracker.models import ProgressUpdate


def demo_data(request) -> dict:
    """Whether the site holds demonstration progress, to say so on every page."""

    def has_demo_data() -> bool:
        return page_cache.remember(
            "has_demo_data", lambda: ProgressUpdate.objects.filter(is_demo=True).exists()
        )

    return {"has_demo_data": has_demo_data}
