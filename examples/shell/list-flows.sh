#!/bin/sh
# Pipes a JSON-RPC conversation through gumloop-mcp and prints the names of
# the flows with jq: what any MCP client does, in five lines of shell.
#
#   GUMLOOP_API_KEY=... GUMLOOP_USER_ID=... examples/shell/list-flows.sh
#
# GUMLOOP_MCP names the binary (default: gumloop-mcp on PATH).
set -eu
mcp=${GUMLOOP_MCP:-gumloop-mcp}

{
	echo '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"list-flows.sh","version":"1"}}}'
	echo '{"jsonrpc":"2.0","method":"notifications/initialized"}'
	echo '{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"list_all_gumloop_flows","arguments":{}}}'
} | "$mcp" | jq -r '
	select(.id == 2)
	| if .error then error(.error.message)
	  elif .result.isError then error(.result.content[0].text)
	  else .result.structuredContent.saved_items[] | "\(.saved_item_id)\t\(.name)"
	  end'
