#!/usr/bin/env bash
# Serve the portal on 127.0.0.1:8000 with one django-q2 worker beside it; Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
ADDR="${DEMO_ADDR:-127.0.0.1:8000}"

Q_WORKERS=1 "$PY" manage.py qcluster &
worker=$!
trap 'kill "$worker" 2>/dev/null || true; wait "$worker" 2>/dev/null || true' EXIT INT TERM

echo "GovCenter: http://$ADDR/  (Ctrl-C stops the web server and the worker)"
"$PY" manage.py runserver "$ADDR" --noreload
