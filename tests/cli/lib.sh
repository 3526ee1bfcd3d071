# Helpers for tests/cli cases.  Each `expect_*` records a failure and goes on;
# cli_finish (called by run-case) exits non-zero if anything failed.
CLI_FAILS=0
CLI_CHECKS=0

_fail() { CLI_FAILS=$((CLI_FAILS + 1)); echo "FAIL: $*" >&2; }

# run CMD...: runs a command, keeping stdout in $SCRATCH/out, stderr in $SCRATCH/err, status in $RC.
run() {
  "$@" >"$SCRATCH/out" 2>"$SCRATCH/err"
  RC=$?
  return 0
}

# expect_exit CODE CMD...: runs CMD and checks its exit status.
expect_exit() {
  local want=$1; shift
  run "$@"
  CLI_CHECKS=$((CLI_CHECKS + 1))
  if [ "$RC" != "$want" ]; then
    _fail "'$*' exited $RC, expected $want"
    echo "--- stdout:" >&2; head -c 3000 "$SCRATCH/out" >&2
    echo "--- stderr:" >&2; head -c 3000 "$SCRATCH/err" >&2
  fi
}

# expect_grep FILE REGEX / expect_no_grep FILE REGEX (extended regex; FILE may be out/err).
expect_grep() {
  local f=$1; shift
  [ -f "$f" ] || f="$SCRATCH/$f"
  CLI_CHECKS=$((CLI_CHECKS + 1))
  grep -Eq -- "$1" "$f" || { _fail "'$1' not found in $f"; head -c 3000 "$f" >&2; }
}
expect_no_grep() {
  local f=$1; shift
  [ -f "$f" ] || f="$SCRATCH/$f"
  CLI_CHECKS=$((CLI_CHECKS + 1))
  if grep -Eq -- "$1" "$f"; then _fail "'$1' unexpectedly found in $f"; fi
}

# expect_lines FILE N: FILE has exactly N lines.
expect_lines() {
  local f=$1; [ -f "$f" ] || f="$SCRATCH/$f"
  CLI_CHECKS=$((CLI_CHECKS + 1))
  local n; n=$(wc -l < "$f")
  [ "$n" = "$2" ] || _fail "$f has $n lines, expected $2"
}

# expect_json FILE PYTHON-EXPR: evaluates EXPR with `d` bound to the parsed JSON.
expect_json() {
  local f=$1; [ -f "$f" ] || f="$SCRATCH/$f"
  CLI_CHECKS=$((CLI_CHECKS + 1))
  python3 - "$f" "$2" <<'PY' || _fail "JSON check '$2' failed on $f"
import json, sys
d = json.load(open(sys.argv[1]))
ok = eval(sys.argv[2])
if not ok:
    print("value:", json.dumps(d)[:2000], file=sys.stderr)
    sys.exit(1)
PY
}

expect_file() { CLI_CHECKS=$((CLI_CHECKS + 1)); [ -e "$1" ] || _fail "$1 does not exist"; }
expect_no_file() { CLI_CHECKS=$((CLI_CHECKS + 1)); [ ! -e "$1" ] || _fail "$1 exists"; }

cli_finish() {
  if [ "$CLI_CHECKS" = 0 ]; then echo "FAIL: the case checked nothing" >&2; exit 1; fi
  if [ "$CLI_FAILS" != 0 ]; then echo "$CLI_FAILS of $CLI_CHECKS checks failed" >&2; exit 1; fi
  echo "$CLI_CHECKS checks passed"
  exit 0
}
