#!/usr/bin/env bash
# Starts a Gumloop flow, waits for it, and prints its outputs as JSON.
# Exit 0 when the run is DONE, 1 when it failed or could not start.
#
#   examples/shell/run-flow.sh SAVED_ITEM_ID ['{"input name": "value"}']
#
# Needs jq, and GUMLOOP_API_KEY (or GUMLOOP_API_KEY_FILE) and GUMLOOP_USER_ID
# in the environment. GUMLOOP_MCP names the binary (default: gumloop-mcp).
# A failed step stops the script with the server's own error on stderr:
# pipefail, so that no later step runs on an empty or null value.
set -euo pipefail
mcp=${GUMLOOP_MCP:-gumloop-mcp}
[ $# -ge 1 ] || { echo "usage: $0 SAVED_ITEM_ID [INPUTS-JSON]" >&2; exit 2; }
args=$(jq -cn --arg id "$1" --argjson inputs "${2:-{\}}" \
	'{saved_item_id: $id, inputs: $inputs}')

# A wrong input name is refused here, before any credit is spent.
run_id=$("$mcp" --call create_a_gumloop_flow_run "$args" | jq -er .run_id)
echo "run-flow: started run $run_id" >&2
run_arg=$(jq -cn --arg id "$run_id" '{run_id: $id}')

if "$mcp" --list-tools | grep -q "^wait_for_gumloop_flow_run "; then
	# The server polls; each call waits up to 50 s, then says timed_out.
	while :; do
		run=$("$mcp" --call wait_for_gumloop_flow_run \
			"$(echo "$run_arg" | jq -c '.timeout_seconds = 50')")
		[ "$(echo "$run" | jq -r '.timed_out // false')" = true ] || break
	done
else
	# An older server without the wait tool: poll the run ourselves.
	while :; do
		run=$("$mcp" --call get_single_gumloop_flow_run_by_id "$run_arg")
		case $(echo "$run" | jq -r .state) in
		DONE|FAILED|TERMINATED) break ;;
		esac
		sleep "${POLL_SECONDS:-2}"
	done
fi

state=$(echo "$run" | jq -r .state)
if [ "$state" != DONE ]; then
	echo "run-flow: run $run_id ended $state" >&2
	echo "$run" | jq -r '.log // [] | .[]' >&2
	exit 1
fi
echo "$run" | jq .outputs
