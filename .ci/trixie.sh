#!/usr/bin/env bash
# CI leg: Debian 13 ("trixie": mbedTLS 3, curl 8) in a chroot that
# debootstrap makes under build/trixie, with the build and test packages,
# and /proc, /dev and /dev/pts bound from this machine. Inside: make check
# on a copy of the tree, then the .deb built, installed with apt-get, and
# the installed binary run with the shell smoke example. Run as root; the
# mounts go when the script ends, however it ends.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD/build/trixie
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
pkgs=build-essential,pkg-config,libcjson-dev,libcurl4-openssl-dev
pkgs=$pkgs,libmbedtls-dev,libmicrohttpd-dev,zlib1g-dev,python3,jq,groff-base
pkgs=$pkgs,openssl,python3-yaml

unmount() {
	for m in dev/pts dev proc; do
		if mountpoint -q "$root/$m"; then
			umount "$root/$m" || umount -l "$root/$m"
		fi
	done
}
trap unmount EXIT

command -v debootstrap >/dev/null ||
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
# A chroot left by an earlier run is used again if it has the same packages.
if [ "$(cat "$root/.packages" 2>/dev/null)" != "$pkgs" ]; then
	unmount
	rm -rf --one-file-system "$root"
	echo "trixie: debootstrap into $root"
	debootstrap --variant=minbase --include="$pkgs" trixie "$root" \
		"$mirror" >"$PWD/build/trixie-debootstrap.log" 2>&1 || {
		tail -n 30 "$PWD/build/trixie-debootstrap.log" >&2
		exit 1
	}
	echo "$pkgs" >"$root/.packages"
fi
for m in proc dev dev/pts; do
	mount --bind "/$m" "$root/$m"
done
cp /etc/resolv.conf "$root/etc/resolv.conf"

# The tree as git sees it (tracked and new files), without build/.
rm -rf "$root/src/gumloop-mcp"
mkdir -p "$root/src/gumloop-mcp"
git ls-files -co --exclude-standard | tar -cf - -T - |
	tar -xf - -C "$root/src/gumloop-mcp"

env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
	DEBIAN_FRONTEND=noninteractive chroot "$root" /bin/sh -ec '
	cd /src/gumloop-mcp
	echo "trixie: $(. /etc/os-release && echo "$PRETTY_NAME"), mbedTLS \
$(dpkg-query -W -f="\${Version}" libmbedtls-dev), curl \
$(dpkg-query -W -f="\${Version}" libcurl4-openssl-dev)"
	make check
	make deb
	apt-get install -y -qq ./build/gumloop-mcp_*.deb >/dev/null
	gumloop-mcp --version
	GUMLOOP_MCP=/usr/bin/gumloop-mcp examples/ci/smoke.sh
	apt-get remove -y -qq gumloop-mcp >/dev/null
'
