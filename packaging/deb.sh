#!/bin/sh
# Builds the Debian package from a tree that make install has laid out
# (make deb does both):
#   packaging/deb.sh STAGE OUTDIR
# STAGE/debian/gumloop-mcp holds the installed files (PREFIX=/usr); the
# package lands in OUTDIR/gumloop-mcp_VERSION_ARCH.deb.
#
# Depends comes from the libraries the binary really uses: dpkg-shlibdeps
# for those it is linked with, and dpkg -S for libcurl, which it loads on
# first use (libcurl.so.4, else libcurl-gnutls.so.4: either package will
# do, so both are named when installed here).
set -eu
stage=$1
out=$2
pkg=gumloop-mcp
root=$stage/debian/$pkg

for tool in dpkg-deb dpkg-shlibdeps dpkg-architecture; do
	command -v $tool >/dev/null 2>&1 || {
		echo "make deb: $tool not found (apt-get install dpkg-dev)" >&2
		exit 1
	}
done
version=$(sed -n 's/^#define GUMLOOP_MCP_VERSION "\(.*\)"$/\1/p' include/version.h)
arch=$(dpkg --print-architecture)
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
deb=$out/${pkg}_${version}_$arch.deb

# Debian's layout: a stripped binary, a compressed man page, the licence
# as the copyright file.
strip --strip-unneeded --remove-section=.comment "$root/usr/bin/$pkg"
gzip -9n "$root/usr/share/man/man1/$pkg.1"
mv "$root/usr/share/doc/$pkg/LICENSE" "$root/usr/share/doc/$pkg/copyright"

# The package that ships lib $1 for this architecture, if one here does.
owner() {
	dpkg -S "*/$multiarch/$1" 2>/dev/null | sed -n 's/^\([^:]*\):.*: \/.*/\1/p' |
		head -n 1
}

mkdir -p "$root/DEBIAN"
printf 'Source: %s\n\nPackage: %s\nArchitecture: any\n' $pkg $pkg \
	>"$stage/debian/control"
linked=$(cd "$stage" && dpkg-shlibdeps -O "debian/$pkg/usr/bin/$pkg" |
	sed -n 's/^shlibs:Depends=//p')
curl=""
for lib in libcurl.so.4 libcurl-gnutls.so.4; do
	p=$(owner $lib)
	[ -n "$p" ] && curl="${curl:+$curl | }$p"
done
if [ -z "$curl" ]; then
	echo "make deb: libcurl.so.4 is not installed here, so its package is unknown" >&2
	exit 1
fi
# Linked with LINK_CURL=1: dpkg-shlibdeps has named it already.
case ", $linked" in *", ${curl%% *} "*|*", ${curl%% *}") curl="" ;; esac

cat >"$root/DEBIAN/control" <<EOF
Package: $pkg
Version: $version
Architecture: $arch
Maintainer: The gumloop-mcp authors
Installed-Size: $(du -sk --exclude=DEBIAN "$root" | cut -f1)
Depends: $linked${curl:+, $curl}
Section: net
Priority: optional
Description: MCP server for the Gumloop API
 A small stdio MCP server, written in C, that gives any MCP client
 (Claude Desktop, Cursor, Claude Code, VS Code, a shell script) the
 Gumloop platform as tools: flows, agents, sessions, skills, files.
EOF
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
echo "deb: $deb"
echo "Depends: $linked${curl:+, $curl}"
