"""Demo and benchmark data for ``manage.py seed_demo``.

``catalog`` holds the story (people, category tree, ticket texts), ``seed``
writes the small demo `make run` starts with, ``bulk`` the large data sets the
benchmarks need.
"""

from .catalog import DEMO_LOGINS, DEMO_PASSWORD
from .seed import demo_is_seeded, seed_demo

__all__ = ["DEMO_LOGINS", "DEMO_PASSWORD", "demo_is_seeded", "seed_demo"]
