#!/bin/sh
# Container start for the mlsecops Jenkins image: refresh the ClamAV databases (kept in the
# /var/lib/clamav volume), then run Jenkins.  An offline start keeps the databases it has;
# with none at all, avscan will fail closed (exit 2) and builds stop at AV Scan.
#   FRESHCLAM=0            skip the update (air-gapped sites that copy databases in)
#   FRESHCLAM_CHECKS=N     keep freshclam running as a daemon, N checks a day (default 0: once)
set -eu
db=/var/lib/clamav
if [ "${FRESHCLAM:-1}" != 0 ]; then
  echo "mlsecops-entrypoint: updating ClamAV databases in $db"
  if ! freshclam --config-file=/etc/mlsecops/freshclam.conf --datadir="$db" --stdout; then
    echo "mlsecops-entrypoint: freshclam failed; using the databases already in $db" >&2
  fi
  checks=${FRESHCLAM_CHECKS:-0}
  if [ "$checks" -gt 0 ] 2>/dev/null; then
    freshclam --config-file=/etc/mlsecops/freshclam.conf --datadir="$db" --daemon --checks="$checks" --stdout || true
  fi
fi
if ! ls "$db"/*.cvd "$db"/*.cld >/dev/null 2>&1; then
  echo "mlsecops-entrypoint: warning: no ClamAV database in $db" >&2
fi
exec /usr/local/bin/jenkins.sh "$@"
