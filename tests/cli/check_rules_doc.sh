# docs/check-rules.md lists exactly the rules `zooci check --list-rules` prints: IDs are stable.
run_zooci 0 check --list-rules
documented="$(sed -n '/^```$/,/^```$/p' "$ZOOCI_SOURCE_DIR/docs/check-rules.md" | sed '1d;$d')"
[[ "$documented" == "$OUT" ]] || {
  diff <(echo "$documented") <(echo "$OUT") | head -20
  fail "docs/check-rules.md is out of date: regenerate it from zooci check --list-rules"
}
