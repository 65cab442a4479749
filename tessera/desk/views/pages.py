"""Pages of the desk's lists: the numbers a pagination bar shows."""

from collections.abc import Iterator

from django.core.paginator import Page


def page_range(page: Page) -> Iterator[str | int]:
    """The page numbers around the current one and at both ends, "…" (``Paginator.ELLIPSIS``) for the gaps."""
    return page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
