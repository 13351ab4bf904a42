"""What staff translate in the admin: recommendations' short titles, a column per language
(django-modeltranslation). The report's paragraphs stay in English, their source."""

import simple_history
from modeltranslation.translator import TranslationOptions, register

from consultations.models import Recommendation


@register(Recommendation)
class RecommendationTranslation(TranslationOptions):
    fields = ("short_title",)
    required_languages = ("en",)


# Registered here, after the columns per language exist, so each version keeps them all.
simple_history.register(
    Recommendation,
    m2m_fields=["gcm_objectives", "sdgs", "guiding_principles", "themes"],
    # Copies of the consultation's and the paragraph's, which keep their own history.
    excluded_fields=["consultation_date", "consultation_title", "paragraph_number"],
)
