#!/bin/sh
# Start the Python Celery interop worker in the foreground.
#   test/python/run_worker.sh [QUEUE] [extra celery worker options...]
# QUEUE defaults to $CELERIAC_PEER_QUEUE or 'celery'. The node name is derived from the queue so
# that several test workers can run side by side. Stop it with SIGTERM (warm shutdown).
# Env: CELERIAC_TEST_PYTHON, the interpreter whose celery runs (default /usr/bin/python3, Debian's
# 5.2.6; .venv-celery/bin/python is PyPI's 5.6), CELERIAC_TEST_BROKER_URL, CELERIAC_TRACK_STARTED=1
# (see celeryconfig.py), CELERIAC_PEER_MINGLE=1 (start with mingle: ask the other workers for
# their revoked ids, as a production worker does).
set -e
cd "$(dirname "$0")"
QUEUE="${1:-${CELERIAC_PEER_QUEUE:-celery}}"
[ $# -gt 0 ] && shift
export CELERIAC_PEER_QUEUE="$QUEUE"
export PYTHONDONTWRITEBYTECODE=1
MINGLE=--without-mingle
[ "${CELERIAC_PEER_MINGLE:-}" = 1 ] && MINGLE=
exec "${CELERIAC_TEST_PYTHON:-/usr/bin/python3}" -m celery -A interop_tasks worker -l info -Q "$QUEUE" -n "interop-$QUEUE@%h" \
  -c 2 -P threads --without-gossip $MINGLE --without-heartbeat "$@"
