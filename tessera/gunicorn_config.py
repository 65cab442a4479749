"""gunicorn's settings for the container image (``gunicorn -c python:tessera.gunicorn_config``; deploy/entrypoint.sh).

Read by gunicorn's master process, before Django is loaded. The systemd setup of docs/deploy.md passes the same
values on the command line instead.
"""

import os

bind = os.environ.get("TESSERA_WEB_BIND", "0.0.0.0:8000")  # noqa: S104 (inside a container: the container's port)
workers = int(os.environ.get("TESSERA_WEB_WORKERS", "3"))
timeout = 60
graceful_timeout = 30
# Heartbeat files of the workers in memory, not on the image's (perhaps slow, perhaps read-only) disk.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108
# Tessera writes its own line per request (logger tessera.request, JSON with TESSERA_LOG_FORMAT=json):
# gunicorn's access log would say the same again without the request id, user, view and query count.
accesslog = None
errorlog = "-"
# gunicorn 25.1+ opens a control socket under $HOME (/app here, not writable by the user tessera) and logs an
# error at every start when it cannot; the process is managed by the container engine's signals instead.
control_socket_disable = True
