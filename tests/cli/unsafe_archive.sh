# An archive with a '../' entry is refused before anything is written outside its temp dir.
/usr/bin/python3 - <<'PY'
import io, tarfile
with tarfile.open("evil.tar.gz", "w:gz") as tar:
    data = b"pwned"
    info = tarfile.TarInfo("../escaped.txt"); info.size = len(data)
    tar.addfile(info, io.BytesIO(data))
PY
run_zooci 2 test evil.tar.gz
expect_in "$ERR" "'../escaped.txt'"
expect_in "$ERR" "leaves the destination"
[[ ! -e "${TMPDIR:-/tmp}/escaped.txt" ]] || fail "file written outside the extraction directory"
