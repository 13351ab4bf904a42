"""How forms are written. Django ships each of its own form templates (fields, labels,
widgets, error lists) for Jinja2 too, where they are written several times faster than
through Django's template language: the admin's form for an update writes some 140 of
them. The templates that exist only in Django's template language (the admin's widgets)
are written through it, as before."""

from django.forms.renderers import BaseRenderer, DjangoTemplates, Jinja2
from django.template import TemplateDoesNotExist


class FormRenderer(BaseRenderer):
    """Django's form renderers, Jinja2's first: FORM_RENDERER."""

    def __init__(self):
        self.renderers = (Jinja2(), DjangoTemplates())
        self.chosen = {}  # which renderer has a template, by its name: looked up once

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
