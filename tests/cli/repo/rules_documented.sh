# Every rule id the tools can emit (string literals like "MS-PICKLE-001" in
# tools/ and policy/) is explained in docs/rules.md.
ids=$(grep -rhoE '"[A-Z]{2,4}(-[A-Z0-9]+)+-[0-9]{3}"' "$MLS_SOURCE_DIR/tools" "$MLS_SOURCE_DIR/policy" 2>/dev/null \
      | tr -d '"' | sort -u)
CLI_CHECKS=$((CLI_CHECKS + 1))
[ -n "$ids" ] || _fail "no rule ids found in tools/ (the pattern no longer matches the code?)"
for id in $ids; do
  CLI_CHECKS=$((CLI_CHECKS + 1))
  grep -q -- "$id" "$MLS_SOURCE_DIR/docs/rules.md" || _fail "rule $id is not documented in docs/rules.md"
done
