"""How forms are written. Django ships each of its own form templates (fields, labels,
widgets, error lists) for Jinja2 too, where they are written several times faster than
through Django's template language: the admin's form for an update writes some 140 of
them. The templates that exist only in Django's template language (the admin's widgets)
are written through it, as before."""

from django.forms.renderers import BaseRenderer, DjangoTemplates, Jinja2
from django.template import TemplateDoesNotExist

# Django's templates of a list of errors, which write nothing for an empty one.
ERROR_LISTS = frozenset(
    f"django/forms/errors/{kind}/{name}"
    for kind in ("list", "dict")
    for name in ("default.html", "ul.html", "text.txt")
)


class FormRenderer(BaseRenderer):
    """Django's form renderers, Jinja2's first: FORM_RENDERER."""

    def __init__(self):
        self.renderers = (Jinja2(), DjangoTemplates())
        self.chosen = {}  # which renderer has a template, by its name: looked up once

    def render(self, template_name, context, request=None):
        # Every field's list of errors is written, empty but for a field in error: the
        # admin's form for an update wrote 57 empty ones, 5 % of its time.
        if template_name in ERROR_LISTS and not context.get("errors"):
            return ""
        return super().render(template_name, context, request=request)

    def get_template(self, template_name):
        renderer = self.chosen.get(template_name)
        if renderer is not None:
            return renderer.get_template(template_name)
        for renderer in self.renderers:
            try:
                template = renderer.get_template(template_name)
            except TemplateDoesNotExist:
                continue
            self.chosen[template_name] = renderer
            return template
        raise TemplateDoesNotExist(template_name)
