from django import template

register = template.Library()


@register.filter
def getfield(form, name):
    """The bound field ``name`` of ``form``: for forms whose fields depend on the data."""
    return form[name]
