"""Demo and benchmark data for ``manage.py seed_demo``.

``catalog`` holds the story (people, category tree, ticket texts), ``seed``
writes the small demo `make run` starts with, ``bulk`` the large data sets the
benchmarks need. An installed app, so this module imports no models.
"""
