"""The order of a ticket's comments on the ticket page and in the side pane: newest first, as seed 000 shows them.

``?comments=oldest`` (or ``newest``) switches it; the choice is kept in the
session, so the next ticket opens the same way. Links, not scripts: it works
without JavaScript.
"""

from django.db.models import QuerySet
from django.http import HttpRequest

NEWEST = "newest"
OLDEST = "oldest"
_SESSION_KEY = "tessera.comment_order"


def comment_order(request: HttpRequest) -> str:
    """The order the request asks for (remembered), else the one remembered, else newest first."""
    asked = request.GET.get("comments")
    if asked in (NEWEST, OLDEST):
        if request.session.get(_SESSION_KEY, NEWEST) != asked:
            request.session[_SESSION_KEY] = asked
        return asked
    remembered = request.session.get(_SESSION_KEY)
    return remembered if remembered in (NEWEST, OLDEST) else NEWEST


def ordered_comments(comments: QuerySet, order: str) -> QuerySet:
    return comments.order_by("created_at", "pk") if order == OLDEST else comments.order_by("-created_at", "-pk")


def other_order(order: str) -> str:
    return NEWEST if order == OLDEST else OLDEST


def page_toggle(order: str) -> dict[str, str]:
    """The ticket page's link to the other order, back at the comments."""
    return {"href": f"?comments={other_order(order)}#comments-heading"}
