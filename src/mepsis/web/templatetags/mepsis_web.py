from django import template

from mepsis.web.nav import nav_for

register = template.Library()


@register.inclusion_tag("web/partials/nav.html", takes_context=True)
def mepsis_nav(context):
    request = context["request"]
    current = request.resolver_match.url_name if request.resolver_match else None
    return {"items": nav_for(request), "current": current}
