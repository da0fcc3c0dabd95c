#!/bin/sh
# Runs every test and prints TAP, then a closing "N passed, M failed" line.
#   test/run-all.sh [unit test binaries...]
# ONLY=substring runs the matching Python tests; T=t-flows.py one script.
# VALGRIND=1 runs the server under valgrind memcheck.
set -u
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
status=0

run() {
	name=$1
	shift
	"$@" >"$out/$name.log" 2>"$out/$name.err"
	rc=$?
	cat "$out/$name.log"
	if [ $rc -ne 0 ]; then
		status=1
		grep -q '^not ok' "$out/$name.log" ||
			echo "not ok - $name exited $rc"
		tail -n 20 "$out/$name.err" | sed 's/^/#   /'
	fi
}

for bin in "$@"; do
	run "$(basename "$bin")" "$bin"
done
for t in test/t-*.py; do
	[ -n "${T:-}" ] && [ "$(basename "$t")" != "$T" ] && continue
	run "$(basename "$t")" python3 "$t"
done

cat "$out"/*.log >"$out/all" 2>/dev/null
passed=$(grep '^ok ' "$out/all" | grep -vc '# SKIP')
skipped=$(grep -c '^ok .*# SKIP' "$out/all")
failed=$(grep -c '^not ok' "$out/all")
if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ] && [ $status -eq 0 ]
