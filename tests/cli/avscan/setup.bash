# Shared setup for the avscan CLI cases (sourced by each case; not a case itself).
# Every case uses the real libclamav with only this repo's signatures plus the
# test-only EICAR signature (signatures/test), never the system databases.
SIGS="$MLS_SOURCE_DIR/signatures"
GEN="$MLS_SOURCE_DIR/tests/fixtures/av/gen_samples.py"
PY=python3
AV=(avscan --no-system-db --signatures "$SIGS" -d "$SIGS/test" --max-db-age 0)

# make_eicar FILE: writes the EICAR test string (generated, never committed).
make_eicar() { "$PY" "$GEN" --eicar "$1"; }
# make_samples DIR: every generated sample (see gen_samples.py).
make_samples() { "$PY" "$GEN" "$1"; }
