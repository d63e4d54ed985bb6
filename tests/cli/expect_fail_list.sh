# Listed failures do not fail the run; a listed case that passes is reported as such.
cp -r "$CORPUS/node/test_abs" abs
cp "$CORPUS/node/test_neg/test_data_set_0/output_0.pb" abs/test_data_set_0/output_0.pb
cp -r "$CORPUS/node/test_add" add
printf 'abs  reference deliberately wrong\nadd  listed although it passes\nghost  no such case\n' > list.txt
run_zooci 0 test --expect-fail list.txt abs add
expect_in "$OUT" "UNEXPECTED-PASS add: passes but is listed as expected to fail"
expect_in "$OUT" "expect-fail entry 'ghost' (line 3) matched no case"
expect_in "$OUT" "1 expected failures"
