"""The request's transaction, for the requests that write.

``ATOMIC_REQUESTS`` wraps every view in a transaction: a BEGIN and a COMMIT, two
round trips to the database, on every page view. A page that only reads does not
need them; a form posted to the same view does.
"""

from functools import wraps

from django.db import transaction

READS = frozenset({"GET", "HEAD", "OPTIONS"})


def atomic_writes(view):
    """Run ``view`` in a transaction for POST and the other writing methods, and without one for reads.

    The view's reads must not write (or write one row at most, which autocommit
    makes atomic by itself); everything a POST does is committed or rolled back
    together, as under ``ATOMIC_REQUESTS``.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method in READS:
            return view(request, *args, **kwargs)
        with transaction.atomic():
            return view(request, *args, **kwargs)

    return transaction.non_atomic_requests(wrapper)
