#!/bin/sh
# Installs the Debian packages the build and the tests need, when missing.
# As root it runs apt-get itself; otherwise it prints the exact line to run.
set -u
pkgs="libcjson-dev libcurl4-openssl-dev libmbedtls-dev libmicrohttpd-dev pkg-config python3 jq zlib1g-dev"
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing="$missing $p"
done
# python3 may come from outside Debian (pyenv): accept any python3 on PATH.
case "$missing" in *python3*) command -v python3 >/dev/null 2>&1 &&
	missing=$(echo "$missing" | sed 's/ python3//') ;; esac
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "installing missing packages:$missing" >&2
	apt-get update -qq >&2 && apt-get install -y -qq $missing >&2 && exit 0
	echo "apt-get failed; run: apt-get update && apt-get install -y$missing" >&2
	exit 1
fi
echo "missing Debian packages; run as root: apt-get update && apt-get install -y$missing" >&2
exit 1
