#!/bin/sh
# Registers gumloop-mcp with Claude Code, after checking that the key works.
# The key stays in a file only you can read; Claude Code stores its path.
#
#   examples/claude-code/add-gumloop.sh [gumloop-mcp flags, e.g. --read-only]
#
# GUMLOOP_API_KEY_FILE (default ~/.config/gumloop/api-key), GUMLOOP_USER_ID,
# GUMLOOP_MCP (default: gumloop-mcp on PATH) and SCOPE (default user; or
# local, project) change what is registered.
set -eu
key_file=${GUMLOOP_API_KEY_FILE:-$HOME/.config/gumloop/api-key}
user_id=${GUMLOOP_USER_ID:?set GUMLOOP_USER_ID to your Gumloop user id}
bin=${GUMLOOP_MCP:-$(command -v gumloop-mcp || echo /usr/local/bin/gumloop-mcp)}

if [ ! -r "$key_file" ]; then
	echo "add-gumloop: put your Gumloop API key in $key_file first:" >&2
	echo "  install -m 600 /dev/null $key_file && \$EDITOR $key_file" >&2
	exit 1
fi
GUMLOOP_API_KEY= GUMLOOP_API_KEY_FILE=$key_file GUMLOOP_USER_ID=$user_id \
	"$bin" --check "$@"
claude mcp add gumloop --scope "${SCOPE:-user}" \
	--env "GUMLOOP_API_KEY_FILE=$key_file" \
	--env "GUMLOOP_USER_ID=$user_id" \
	-- "$bin" "$@"
