#!/bin/sh
# What the tests need besides a C compiler: cJSON, mbedTLS, libcurl and zlib
# (the build), libmicrohttpd (the fake Gumloop), pkg-config, python3, jq and
# openssl (a self-signed certificate for the TLS tests).
# On Debian and Ubuntu, missing packages are installed as root, or the exact
# line to run is printed; elsewhere the missing pieces are named with the
# platform's install line. Run by make check, demo and the other test
# targets; plain make never runs it.
set -u
debs="libcjson-dev libcurl4-openssl-dev libmbedtls-dev libmicrohttpd-dev zlib1g-dev pkg-config python3 jq openssl"

debian() {
	missing=""
	for p in $debs; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q 'install ok installed' || missing="$missing $p"
	done
	# python3 may come from outside Debian (pyenv): any python3 on PATH will do.
	case "$missing" in *python3*) command -v python3 >/dev/null 2>&1 &&
		missing=$(echo "$missing" | sed 's/ python3//') ;; esac
	[ -z "$missing" ] && return 0
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
		echo "installing missing packages:$missing" >&2
		apt-get update -qq >&2 && apt-get install -y -qq $missing >&2 &&
			return 0
		echo "apt-get failed; run: apt-get update && apt-get install -y$missing" >&2
		return 1
	fi
	echo "missing Debian packages; run as root: apt-get update && apt-get install -y$missing" >&2
	return 1
}

# 0 when a C file including header $1 compiles and links with $2 (or with
# what pkg-config says for $3). Homebrew's prefix is searched too.
links() {
	dir=$(mktemp -d) || return 1
	printf '#include <%s>\nint main(void) { return 0; }\n' "$1" >"$dir/t.c"
	brew=$(brew --prefix 2>/dev/null) && brew="-I$brew/include -L$brew/lib"
	${CC:-cc} $(pkg-config --cflags $3 2>/dev/null) $brew -o "$dir/t" \
		"$dir/t.c" $(pkg-config --libs $3 2>/dev/null || echo $2) \
		>/dev/null 2>&1
	rc=$?
	rm -rf "$dir"
	return $rc
}

# Elsewhere: look for each piece, then name the platform's packages.
other() {
	missing=""
	command -v pkg-config >/dev/null 2>&1 || missing="$missing pkg-config"
	command -v python3 >/dev/null 2>&1 || missing="$missing python3"
	command -v jq >/dev/null 2>&1 || missing="$missing jq"
	command -v openssl >/dev/null 2>&1 || missing="$missing openssl"
	links cjson/cJSON.h -lcjson libcjson || missing="$missing cJSON"
	links mbedtls/sha256.h -lmbedcrypto mbedcrypto || missing="$missing mbedTLS"
	links curl/curl.h -lcurl libcurl || missing="$missing libcurl"
	links zlib.h -lz zlib || missing="$missing zlib"
	links microhttpd.h -lmicrohttpd libmicrohttpd ||
		missing="$missing libmicrohttpd"
	[ -z "$missing" ] && return 0
	echo "missing:$missing" >&2
	if command -v brew >/dev/null 2>&1; then
		echo "run: brew install cjson mbedtls curl zlib libmicrohttpd pkgconf python jq openssl" >&2
	elif command -v apk >/dev/null 2>&1; then
		echo "run: apk add build-base cjson-dev mbedtls-dev curl-dev zlib-dev libmicrohttpd-dev pkgconf python3 jq openssl" >&2
	elif command -v dnf >/dev/null 2>&1; then
		echo "run: dnf install gcc make cjson-devel mbedtls-devel libcurl-devel zlib-devel libmicrohttpd-devel pkgconf python3 jq openssl" >&2
	else
		echo "install them with your platform's packages (the development files of each library)" >&2
	fi
	return 1
}

if command -v dpkg-query >/dev/null 2>&1 && [ -f /etc/debian_version ]; then
	debian
else
	other
fi
