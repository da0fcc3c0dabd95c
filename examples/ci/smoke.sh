#!/bin/sh
# Smoke test for CI: starts the project's fake Gumloop on 127.0.0.1 and runs
# gumloop-mcp --check and the shell examples against it. Build first:
#   make gumloop-mcp test/fake-gumloop && examples/ci/smoke.sh
# GUMLOOP_MCP names another binary to test (an installed one, say).
set -eu
cd "$(dirname "$0")/../.."
dir=$(mktemp -d)
test/fake-gumloop --port-file "$dir/port" --run-ms 200 2>"$dir/fake.log" &
fake=$!
trap 'kill $fake 2>/dev/null; rm -rf "$dir"' EXIT
tries=0
until [ -s "$dir/port" ]; do
	tries=$((tries + 1))
	[ $tries -le 100 ] || { cat "$dir/fake.log" >&2; exit 1; }
	sleep 0.1
done
port=$(cat "$dir/port")
export GUMLOOP_BASE_URL="http://127.0.0.1:$port/api/v1"
export GUMLOOP_STREAM_BASE_URL="http://127.0.0.1:$port/stream/api/v1"
export GUMLOOP_API_KEY=test-key GUMLOOP_USER_ID=ci-user
export GUMLOOP_MCP="${GUMLOOP_MCP:-$PWD/gumloop-mcp}" POLL_SECONDS=0.2

echo "== $GUMLOOP_MCP --check"
"$GUMLOOP_MCP" --check
echo "== list-flows.sh"
flows=$(examples/shell/list-flows.sh)
echo "$flows"
echo "$flows" | grep -q "Competitor Pricing Scraper"
echo "== run-flow.sh"
outputs=$(examples/shell/run-flow.sh flow_competitor_pricing \
	'{"target_url": "https://example.com/pricing"}')
echo "$outputs"
echo "$outputs" | jq -e .prices >/dev/null
echo "smoke test passed"
