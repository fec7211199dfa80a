from django import template

from mepsis.web.coe_form import LABELS
from mepsis.web.nav import nav_for

register = template.Library()


@register.inclusion_tag("web/partials/nav.html", takes_context=True)
def mepsis_nav(context):
    request = context["request"]
    current = request.resolver_match.url_name if request.resolver_match else None
    return {"items": nav_for(request), "current": current}


@register.filter
def at(mapping, key):
    """``{{ mapping|at:key }}``: a dictionary's value for a key held in a variable (nothing when absent, or
    when there is no dictionary yet, as on a blank form)."""
    return mapping.get(key, ()) if mapping else ()


@register.filter
def coe_label(value, kind):
    """The words for a COE's coded value (``with_worker`` -> "with the worker"); the code when unknown."""
    return LABELS[kind].get(value, value) if value else "—"
