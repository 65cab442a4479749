"""Back up and restore the whole portal (``manage.py backup``, ``manage.py restore``); see ``archive``."""
