#!/bin/sh
# Compiles every C source against musl's headers (musl-gcc -fsyntax-only,
# from Debian's musl-tools): a call that only glibc declares, or a
# glibc-only header, fails here. The libraries' own headers come from the
# system's include path through a folder of links to them alone, so that
# no glibc header can slip in beside them. Prints TAP and a closing
# "N passed, M failed" line.
#   test/musl-check.sh [source.c...]
set -u
cd "$(dirname "$0")/.."
if ! command -v musl-gcc >/dev/null 2>&1; then
	echo "1..0 # SKIP musl-gcc not found (apt-get install musl-tools)"
	exit 0
fi
inc=$(mktemp -d)
trap 'rm -rf "$inc"' EXIT
multiarch=$(gcc -print-multiarch 2>/dev/null)
for h in cjson mbedtls psa curl zlib.h zconf.h microhttpd.h; do
	for dir in /usr/include "/usr/include/$multiarch"; do
		[ -e "$dir/$h" ] && { ln -s "$dir/$h" "$inc/$h"; break; }
	done
done
[ $# -gt 0 ] || set -- src/*.c src/tools/*.c test/fake/*.c test/unit/*.c \
	test/fuzz/*.c test/interop/*.c bench/*.c
n=0 passed=0 failed=0
for f in "$@"; do
	n=$((n + 1))
	if out=$(musl-gcc -fsyntax-only -std=c11 -include src/compat.h \
		-Iinclude -Itest/unit -Itest/fuzz -isystem "$inc" \
		-DFUZZ_CORPUS='"test/fuzz/corpus"' -Wall \
		-Werror=implicit-function-declaration -Werror=implicit-int \
		"$f" 2>&1); then
		echo "ok $n - $f compiles against musl"
		passed=$((passed + 1))
	else
		echo "not ok $n - $f compiles against musl"
		echo "$out" | sed 's/^/#   /'
		failed=$((failed + 1))
	fi
done
echo "1..$n"
echo "musl: $passed passed, $failed failed"
[ $failed -eq 0 ]
