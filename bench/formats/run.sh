#!/usr/bin/env bash
# Header-bound scanning of big model files: modelscan-c against ModelScan and
# ModelAudit on sparse safetensors and GGUF files of 100 MB and 4 GB (header
# written, then truncated to size).  Prints a markdown table: median wall time
# of 3 runs, and modelscan-c's peak memory.
#
# usage: bench/formats/run.sh [BUILD_DIR] [ANCHORS_VENV]
#   BUILD_DIR     default build (uses BUILD_DIR/bin/modelscan-c)
#   ANCHORS_VENV  a venv with modelscan and modelaudit (pip install modelscan modelaudit);
#                 default /tmp/anchors-venv; tools not found there are left out
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
build=${1:-$repo/build}
anchors=${2:-/tmp/anchors-venv}
py=${MLS_PYTHON:-$repo/.venv/bin/python}
ms=$build/bin/modelscan-c
work=$(mktemp -d "${TMPDIR:-/tmp}/mls-bench-formats.XXXXXX")
trap 'rm -rf "$work"' EXIT

sizes="104857600 4294967296"
for s in $sizes; do
  "$py" "$repo/tests/fixtures/formats/make_fixtures.py" "$work" --only-bench "$s" >/dev/null
done

# ModelAudit sends telemetry by default; offline that costs seconds of DNS retries
export PROMPTFOO_DISABLE_TELEMETRY=1 NO_ANALYTICS=1

# "median wall seconds of 3 runs (exit N)" of "$@"
median() {
  local t=() rc=0
  for _ in 1 2 3; do
    local a b
    a=$(date +%s.%N)
    "$@" >/dev/null 2>&1 && rc=0 || rc=$?
    b=$(date +%s.%N)
    t+=("$(echo "$b - $a" | bc)")
  done
  printf '%s (exit %s)' "$(printf '%s\n' "${t[@]}" | sort -g | sed -n 2p | xargs printf '%.3f')" "$rc"
}

peak_kb() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1; }

echo "| file | size (bytes) | modelscan-c --no-hash | modelscan-c (with SHA-256) | peak RSS (no-hash) | ModelScan | ModelAudit |"
echo "|---|---|---|---|---|---|---|"
for s in $sizes; do
  for ext in safetensors gguf; do
    f=$work/big-$s.$ext
    real=$(stat -c %s "$f")
    a=$(median "$ms" -p "$f" --no-hash --no-progress)
    b=$(median "$ms" -p "$f" --no-progress)
    m=$(peak_kb "$ms" -p "$f" --no-hash --no-progress)
    c="n/a"; d="n/a"
    [ -x "$anchors/bin/modelscan" ] && c=$(median "$anchors/bin/modelscan" -p "$f")
    [ -x "$anchors/bin/modelaudit" ] && d=$(median "$anchors/bin/modelaudit" scan "$f")
    echo "| $ext | $real | $a | $b | $((m / 1024)) MiB | $c | $d |"
  done
done
