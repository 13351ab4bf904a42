from tracker.models import ProgressUpdate


def demo_data(request) -> dict:
    """Whether the site holds demonstration progress, to say so on every page."""
    return {"has_demo_data": lambda: ProgressUpdate.objects.filter(is_demo=True).exists()}
