#!/bin/sh
# The container image's entrypoint: one image, one process per container, chosen by the first argument.
#
#   web       gunicorn (tessera.gunicorn_config: TESSERA_WEB_BIND, TESSERA_WEB_WORKERS)  - the default
#   worker    the task worker (e-mail, automation): manage.py db_worker
#   mail      the SMTP receiver for inbound mail: manage.py run_mail_receiver
#   imap      the IMAP poller instead: manage.py poll_imap
#   migrate   manage.py migrate, then run_automation (queues the automation's first run): once per deploy
#   static D  copy the static files collected at build into directory D (a volume the proxy serves); files of
#             earlier releases stay, so pages of processes not yet restarted keep their CSS
#   manage    any manage.py command: "manage createsuperuser", "manage backup -o /backups/x.tar.gz"
#   anything else is run as given ("sh", "python -c ...").
#
# Extra arguments go to the process: "web --workers 8", "worker --queue-name default".
# tests/core/test_entrypoint.py runs each of these on the development machine, without a container engine.
set -eu

cd "$(dirname "$0")/.."

if [ -n "${PROMETHEUS_MULTIPROC_DIR:-}" ]; then
    # The metrics of every process of this container (and of the others that share the volume) are kept here.
    mkdir -p "$PROMETHEUS_MULTIPROC_DIR"
fi

command="${1:-web}"
if [ "$#" -gt 0 ]; then shift; fi

case "$command" in
    web)
        exec gunicorn tessera.wsgi:application --config python:tessera.gunicorn_config "$@" ;;
    worker)
        exec python manage.py db_worker --queue-name '*' --no-reload "$@" ;;
    mail)
        exec python manage.py run_mail_receiver "$@" ;;
    imap)
        exec python manage.py poll_imap "$@" ;;
    migrate)
        python manage.py migrate --no-input "$@"
        exec python manage.py run_automation ;;
    static)
        target="${1:?static needs the directory to copy into}"
        mkdir -p "$target"
        exec cp -R "${TESSERA_STATIC_ROOT:-static}/." "$target/" ;;
    manage)
        exec python manage.py "$@" ;;
    *)
        exec "$command" "$@" ;;
esac
