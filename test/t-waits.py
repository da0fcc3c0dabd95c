#!/usr/bin/env python3
"""Waits through the real binary: polling, progress on the wire,
cancellation, pings and queued requests during a wait, timeouts, FAILED
runs, end of input. Flow runs are the subject; agents and sessions reuse
the same engine (t-agents.py, t-sessions.py)."""
import base64
import json
import os
import signal
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
import harness  # noqa: E402
from fake import SharedFake  # noqa: E402
import schema  # noqa: E402
from mcp import Server, hint, structured, text_of  # noqa: E402
from tooltest import fresh_server, send_call  # noqa: E402

PRICING = "flow_competitor_pricing"
BROKEN = "flow_broken_import"

fake = SharedFake(run_ms=300, queue_ms=20)


def server(**kw):
    return fresh_server(fake, **kw)


def start_run(srv, flow=PRICING, inputs=None):
    args = {"saved_item_id": flow}
    if inputs is not None:
        args["inputs"] = inputs
    res = srv.call("create_a_gumloop_flow_run", args)
    assert not res.get("isError"), res
    return structured(res)["run_id"]


def next_message(srv, timeout=15):
    """The next message; notifications are also kept in srv.notifications."""
    msg = srv.recv(timeout)
    if "method" in msg and "id" not in msg:
        srv.notifications.append(msg)
    return msg


def wait_for_progress(srv, timeout=15):
    while True:
        msg = next_message(srv, timeout)
        if msg.get("method") == "notifications/progress":
            return msg
        assert "id" not in msg, "unexpected response %r" % msg


def polls(run_id=None):
    reqs = fake.requests(path_prefix="/api/v1/get_pl_run")
    return [r for r in reqs if run_id is None or
            r["query"].get("run_id") == run_id]


def raw_progress(srv):
    out = []
    for line in srv.lines:
        msg = json.loads(line)
        if msg.get("method") == "notifications/progress":
            out.append((line, msg))
    return out


def test_wait_for_run_returns_outputs_at_done():
    with server() as srv:
        run_id = start_run(srv, inputs={"target_url": "https://example.com/p"})
        res = srv.call("wait_for_gumloop_flow_run", {"run_id": run_id})
        assert not res.get("isError"), res
        run = structured(res)
        assert run["state"] == "DONE", run
        assert run["run_id"] == run_id
        assert "example.com/p" in run["outputs"]["prices"]
        assert "timed_out" not in run
        assert len(polls(run_id)) >= 2, "it polled until DONE"


def test_progress_notifications_on_the_raw_wire_keep_the_token_type():
    for token, raw_token in (("tok-1", b'"progressToken":"tok-1"'),
                             (9007199254740993,
                              b'"progressToken":9007199254740993')):
        with server() as srv:
            run_id = start_run(srv)
            srv.lines.clear()
            send_call(srv, 7, "wait_for_gumloop_flow_run",
                      {"run_id": run_id}, token=token)
            resp = srv.recv_response(7)
            assert resp["result"]["structuredContent"]["state"] == "DONE"
            progress = raw_progress(srv)
            assert len(progress) == len(polls(run_id)), \
                "one notification per poll"
            assert len(progress) >= 2, progress
            values = [m["params"]["progress"] for _, m in progress]
            assert values == sorted(set(values)), "strictly increasing"
            for line, msg in progress:
                assert raw_token in line, line
                assert "state: " in msg["params"]["message"], msg
            assert "DONE" in progress[-1][1]["params"]["message"]
            # the response is the last line: no progress after it
            assert json.loads(srv.lines[-1]).get("id") == 7
            assert srv.quiet(0.3)


def test_progress_in_the_modern_era_and_without_message_in_2024():
    with server() as srv:
        run_id = start_run(srv)
        srv.send({"jsonrpc": "2.0", "id": "m", "method": "tools/call",
                  "params": {"name": "wait_for_gumloop_flow_run",
                             "arguments": {"run_id": run_id},
                             "_meta": {
                                 "progressToken": "modern",
                                 "io.modelcontextprotocol/protocolVersion":
                                     "2026-07-28",
                                 "io.modelcontextprotocol/clientCapabilities":
                                     {}}}})
        resp = srv.recv_response("m")
        assert resp["result"]["structuredContent"]["state"] == "DONE"
        assert resp["result"]["resultType"] == "complete"
        progress = [m for _, m in raw_progress(srv)]
        assert progress and all(p["params"]["progressToken"] == "modern"
                                and "message" in p["params"]
                                for p in progress)
    fake.reset()
    with Server(fake=fake, extra_env={"GUMLOOP_MCP_POLL_MS": "50"}) as srv:
        srv.initialize("2024-11-05")
        run_id = start_run(srv)
        srv.call("wait_for_gumloop_flow_run", {"run_id": run_id},
                 meta={"progressToken": 5})
        progress = [m for _, m in raw_progress(srv)]
        assert progress, "progress goes out in 2024-11-05 too"
        assert all("message" not in p["params"] for p in progress)


def test_no_progress_without_a_token():
    with server() as srv:
        run_id = start_run(srv)
        srv.lines.clear()
        res = srv.call("wait_for_gumloop_flow_run", {"run_id": run_id})
        assert structured(res)["state"] == "DONE"
        assert not raw_progress(srv)


def test_create_with_wait_seconds_returns_the_finished_run():
    with server() as srv:
        res = srv.call("create_a_gumloop_flow_run", {
            "saved_item_id": PRICING, "wait_seconds": 30,
            "inputs": {"target_url": "https://example.com/w"}})
        assert not res.get("isError"), res
        run = structured(res)
        assert run["state"] == "DONE", run
        assert run["url"].startswith("https://www.gumloop.com/pipeline")
        assert "example.com/w" in run["outputs"]["prices"]
        assert len(fake.requests(path_prefix="/api/v1/start_pipeline")) == 1


def test_timeout_is_a_result_with_timed_out_and_the_id():
    with server() as srv:
        fake.config(run_ms=60000)
        run_id = start_run(srv)
        res = srv.call("wait_for_gumloop_flow_run",
                       {"run_id": run_id, "timeout_seconds": 1})
        assert not res.get("isError"), res
        run = structured(res)
        assert run["timed_out"] is True
        assert run["run_id"] == run_id
        assert run["state"] in ("QUEUED", "RUNNING"), run
        assert json.loads(text_of(res))["timed_out"] is True


def test_wait_seconds_is_capped_by_max_wait():
    with server(extra_env={"GUMLOOP_MCP_MAX_WAIT": "1"}) as srv:
        fake.config(run_ms=60000)
        res = srv.call("create_a_gumloop_flow_run",
                       {"saved_item_id": PRICING, "wait_seconds": 300})
        run = structured(res)
        assert run["timed_out"] is True and run["run_id"], run


def test_failed_run_is_a_tool_error_with_the_log():
    with server() as srv:
        run_id = start_run(srv, BROKEN, {"source_file": "crm.csv"})
        res = srv.call("wait_for_gumloop_flow_run", {"run_id": run_id})
        assert res.get("isError"), res
        text = text_of(res)
        assert "FAILED" in text and run_id in text, text
        assert "could not parse source_file 'crm.csv'" in text, text
        st = structured(res)
        assert st["error"]["message"]
        assert st["state"] == "FAILED" and st["run_id"] == run_id
        assert any("crm.csv" in line for line in st["log"])


def test_failed_run_through_wait_seconds():
    with server() as srv:
        res = srv.call("create_a_gumloop_flow_run", {
            "saved_item_id": BROKEN, "wait_seconds": 30,
            "inputs": {"source_file": "x.csv"}})
        assert res.get("isError") and "x.csv" in text_of(res), res


def test_terminated_run_ends_the_wait_without_error():
    with server() as srv:
        fake.config(run_ms=60000)
        run_id = start_run(srv)
        srv.call("kill_a_gumloop_flow_run", {"run_id": run_id})
        res = srv.call("wait_for_gumloop_flow_run", {"run_id": run_id})
        assert not res.get("isError"), res
        assert structured(res)["state"] == "TERMINATED"


def test_unknown_run_is_an_error_at_once():
    with server() as srv:
        res = srv.call("wait_for_gumloop_flow_run", {"run_id": "run_nope"})
        assert res.get("isError") and "404" in text_of(res), res
        assert len(polls()) == 1


def test_a_passing_gumloop_error_does_not_end_the_wait():
    with server() as srv:
        run_id = start_run(srv)
        fake.fault(path="/api/v1/get_pl_run", status=502, times=1)
        res = srv.call("wait_for_gumloop_flow_run", {"run_id": run_id})
        assert not res.get("isError"), res
        assert structured(res)["state"] == "DONE"


def test_cancellation_mid_wait_sends_no_response_and_stops_polling():
    with server() as srv:
        fake.config(run_ms=60000)
        run_id = start_run(srv)
        send_call(srv, "w-1", "wait_for_gumloop_flow_run",
                  {"run_id": run_id, "timeout_seconds": 60}, token="c")
        wait_for_progress(srv)
        srv.notify("notifications/cancelled",
                   {"requestId": "w-1", "reason": "user gave up"})
        pong = srv.request("ping", id="p-1")
        assert pong == {"jsonrpc": "2.0", "id": "p-1", "result": {}}, pong
        seen = len(polls(run_id))
        time.sleep(0.6)   # many poll intervals (50 ms) for a wait still on
        assert len(polls(run_id)) == seen, "polling went on"
        res = srv.call("list_all_gumloop_flows")
        assert not res.get("isError")
        assert not any(json.loads(l).get("id") == "w-1" for l in srv.lines)


def test_ping_during_a_wait_is_answered_at_once():
    with server(extra_env={"GUMLOOP_MCP_POLL_MS": "1000"}) as srv:
        fake.config(run_ms=60000)
        run_id = start_run(srv)
        send_call(srv, 5, "wait_for_gumloop_flow_run",
                  {"run_id": run_id, "timeout_seconds": 2})
        pong = srv.request("ping", id=6)
        assert pong["result"] == {}
        resp = srv.recv_response(5)
        assert resp["result"]["structuredContent"]["timed_out"] is True


def test_requests_during_a_wait_are_answered_while_it_goes_on():
    with server() as srv:
        fake.config(run_ms=1500)
        run_id = start_run(srv)
        send_call(srv, 1, "wait_for_gumloop_flow_run", {"run_id": run_id},
                  token=1)
        wait_for_progress(srv)
        srv.send_raw('{"jsonrpc":"2.0","id":"q-a","method":"tools/list"}\n')
        srv.send_raw('{"jsonrpc":"2.0","id":9007199254740993,'
                     '"method":"tools/call","params":{"name":'
                     '"list_all_gumloop_flows","arguments":{}}}\n')
        srv.send_raw('{"jsonrpc":"2.0","id":-3,"method":"no/such"}\n')
        ids = []
        while len(ids) < 4:
            msg = next_message(srv)
            if "id" in msg:
                ids.append(msg["id"])
                if msg["id"] == 1:
                    assert msg["result"]["structuredContent"]["state"] == \
                        "DONE"
        # the quick ones do not wait for the wait: answers leave out of order
        assert ids == ["q-a", 9007199254740993, -3, 1], ids
        raw = [l for l in srv.lines if b'"id":9007199254740993' in l]
        assert len(raw) == 1 and b'"saved_items"' in raw[0]


def test_lines_in_one_write_with_the_wait_are_seen_promptly():
    with server(extra_env={"GUMLOOP_MCP_POLL_MS": "1000"}) as srv:
        fake.config(run_ms=60000)
        run_id = start_run(srv)
        call = {"jsonrpc": "2.0", "id": 11, "method": "tools/call",
                "params": {"name": "wait_for_gumloop_flow_run",
                           "arguments": {"run_id": run_id,
                                         "timeout_seconds": 60}}}
        cancel = {"jsonrpc": "2.0", "method": "notifications/cancelled",
                  "params": {"requestId": 11}}
        srv.send_raw(json.dumps(call) + "\n" + json.dumps(cancel) + "\n" +
                     '{"jsonrpc":"2.0","id":12,"method":"ping"}\n')
        assert srv.recv_response(12)["result"] == {}
        assert srv.request("ping", id=13)["result"] == {}
        assert len(polls(run_id)) <= 2


def peak_rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def test_lines_piped_far_ahead_wait_in_the_pipe_not_in_memory():
    """80 MiB of notifications piped during a wait: at most 32 MiB is read
    ahead (the rest waits in the pipe); all of it is handled after."""
    mib = 1 << 20
    pad = "x" * (mib - 80)
    note = ('{"jsonrpc":"2.0","method":"notifications/ahead","params":'
            '{"pad":"%s"}}\n' % pad).encode()
    with server() as srv:
        fake.config(run_ms=60000)
        run_id = start_run(srv)
        send_call(srv, "w", "wait_for_gumloop_flow_run",
                  {"run_id": run_id, "timeout_seconds": 3})
        for _ in range(80):     # blocks while the server reads no more
            srv.send_raw(note)
        srv.send({"jsonrpc": "2.0", "id": "last", "method": "ping"})
        answers = {}
        while len(answers) < 2:
            msg = next_message(srv, 30)
            if "id" in msg:
                answers[msg["id"]] = msg
        assert structured(answers["w"]["result"])["timed_out"] is True
        assert answers["last"] == {"jsonrpc": "2.0", "id": "last",
                                   "result": {}}
        maps = "/proc/%d/maps" % srv.proc.pid     # none on macOS
        if not os.environ.get("VALGRIND") and os.path.exists(maps) and \
                "libasan" not in open(maps).read():
            peak = peak_rss_kib(srv.proc.pid)
            assert peak < 64 * 1024, "peak RSS %d KiB" % peak


def test_cancelling_a_queued_request_drops_it():
    with server() as srv:
        fake.config(run_ms=60000)
        run_id = start_run(srv)
        send_call(srv, "first", "wait_for_gumloop_flow_run",
                  {"run_id": run_id, "timeout_seconds": 60}, token="t")
        wait_for_progress(srv)
        send_call(srv, "second", "wait_for_gumloop_flow_run",
                  {"run_id": run_id, "timeout_seconds": 60})
        srv.notify("notifications/cancelled", {"requestId": "second"})
        srv.notify("notifications/cancelled", {"requestId": "first"})
        assert srv.request("ping", id="after")["result"] == {}
        res = srv.call("list_all_gumloop_flows")
        assert not res.get("isError")
        ids = [json.loads(l).get("id") for l in srv.lines]
        assert "first" not in ids and "second" not in ids, ids


def test_cancellation_interrupts_a_blocking_http_request():
    with server() as srv:
        run_id = start_run(srv)
        fake.fault(path="/api/v1/get_pl_run", delay_ms=60000,
                   pass_through=True)
        send_call(srv, "slow", "get_single_gumloop_flow_run_by_id",
                  {"run_id": run_id})
        deadline = time.time() + 10
        while not polls(run_id) and time.time() < deadline:
            time.sleep(0.02)
        srv.notify("notifications/cancelled", {"requestId": "slow"})
        # answered long before the fake's 60 s delay ends
        assert srv.request("ping", id="p")["result"] == {}
        res = srv.call("list_all_gumloop_flows")
        assert not res.get("isError"), res
        assert not any(json.loads(l).get("id") == "slow" for l in srv.lines)


def begin_long_wait(srv, id):
    """A wait on a run that will not end soon, seen polling."""
    fake.config(run_ms=60000)
    run_id = start_run(srv)
    send_call(srv, id, "wait_for_gumloop_flow_run",
              {"run_id": run_id, "timeout_seconds": 120}, token=id)
    wait_for_progress(srv)
    return run_id


def test_end_of_input_during_a_wait_ends_the_process_promptly():
    with server() as srv:
        begin_long_wait(srv, 21)
        start = time.time()
        assert srv.close(timeout=30) == 0
        assert time.time() - start < 5, "exit took %.1fs" % (time.time() - start)


def test_end_of_input_cuts_short_a_poll_in_flight():
    with server() as srv:
        run_id = start_run(srv)
        fake.fault(path="/api/v1/get_pl_run", delay_ms=60000,
                   pass_through=True)
        send_call(srv, 23, "wait_for_gumloop_flow_run", {"run_id": run_id})
        deadline = time.time() + 10
        while not polls(run_id) and time.time() < deadline:
            time.sleep(0.02)
        start = time.time()
        assert srv.close(timeout=30) == 0
        assert time.time() - start < 5, "exit took %.1fs" % (time.time() - start)


def test_a_write_in_flight_is_not_cut_short_by_end_of_input():
    with server() as srv:
        fake.fault(path="/api/v1/start_pipeline", delay_ms=700,
                   pass_through=True)
        send_call(srv, 24, "create_a_gumloop_flow_run",
                  {"saved_item_id": PRICING})
        srv.proc.stdin.close()
        resp = srv.recv_response(24)
        assert resp["result"]["structuredContent"]["run_id"], resp
        assert len(fake.requests(path_prefix="/api/v1/start_pipeline")) == 1


def test_a_result_waits_for_the_next_request_to_leave_not_to_return():
    """Write-behind: a result may be written once the next request in the
    same write is on its way to Gumloop, never after Gumloop answers it."""
    with server() as srv:
        run_id = start_run(srv)
        fake.fault(path="/api/v1/get_pl_run", delay_ms=5000,
                   pass_through=True)
        first = {"jsonrpc": "2.0", "id": "fast", "method": "tools/call",
                 "params": {"name": "list_all_gumloop_flows",
                            "arguments": {}}}
        second = {"jsonrpc": "2.0", "id": "slow", "method": "tools/call",
                  "params": {"name": "get_single_gumloop_flow_run_by_id",
                             "arguments": {"run_id": run_id}}}
        start = time.time()
        srv.send_raw(json.dumps(first) + "\n" + json.dumps(second) + "\n")
        # before the fake answers the second call (5 s), not with it
        fast = srv.recv(timeout=4)
        assert fast["id"] == "fast" and not fast["result"].get("isError")
        slow = srv.recv(timeout=20)
        assert slow["id"] == "slow", slow
        assert time.time() - start >= 4.5, "the fake's delay was not applied"


def test_a_mixed_burst_is_answered_in_full():
    """Every line of a burst gets its answer (a ping may overtake a call
    in flight): pings, listings, errors, end of input."""
    with server() as srv:
        run_id = start_run(srv)

        def call(id, name, args):
            return json.dumps({"jsonrpc": "2.0", "id": id,
                               "method": "tools/call",
                               "params": {"name": name, "arguments": args}})
        get = "get_single_gumloop_flow_run_by_id"
        lines = [call(1, get, {"run_id": run_id}),
                 '{"jsonrpc":"2.0","id":2,"method":"ping"}',
                 call(3, get, {"run_id": run_id}),
                 "not json",
                 call(4, get, {}),
                 '{"jsonrpc":"2.0","method":"notifications/progress",'
                 '"params":{"progressToken":1,"progress":1}}',
                 '{"jsonrpc":"2.0","id":5,"method":"tools/list"}',
                 call(6, "list_all_gumloop_flows", {}),
                 call(7, get, {"run_id": run_id})]
        srv.send_raw("\n".join(lines) + "\n")
        srv.proc.stdin.close()
        replies = [srv.recv() for _ in range(8)]
        by_id = {r["id"]: r for r in replies}
        assert sorted(by_id, key=str) == sorted([1, 2, 3, None, 4, 5, 6, 7],
                                                key=str), replies
        assert [r["id"] for r in replies if r["id"] != 2] == \
            [1, 3, None, 4, 5, 6, 7]    # the rest in order: one at a time
        assert by_id[1]["result"]["structuredContent"]["run_id"] == run_id
        assert by_id[None]["error"]["code"] == -32700
        assert "error" in by_id[4] or by_id[4]["result"]["isError"]
        assert srv.proc.wait(10) == 0
        srv.proc = None


def test_writing_a_long_result_does_not_count_against_the_next_request():
    """A long result that the client reads late is written before the next
    request starts: the time its write blocks is not taken from the
    --timeout of that request (the fake answers it at once)."""
    blob = bytes(range(256)) * 4096     # 1 MiB: far more than a pipe holds
    with server(args=["--timeout", "2"]) as srv:
        res = srv.call("create_a_gumloop_file", {
            "file_name": "big.bin",
            "content_base64": base64.b64encode(blob).decode()})
        assert not res.get("isError"), text_of(res)
        download = {"jsonrpc": "2.0", "id": "long", "method": "tools/call",
                    "params": {"name": "get_single_gumloop_file_by_name",
                               "arguments": {"run_id": "run_42",
                                             "saved_item_id": PRICING,
                                             "file_name": "big.bin"}}}
        listing = {"jsonrpc": "2.0", "id": "next", "method": "tools/call",
                   "params": {"name": "list_all_gumloop_flows",
                              "arguments": {}}}
        srv.send_raw(json.dumps(download) + "\n" + json.dumps(listing) + "\n")
        time.sleep(3)       # the client reads late: longer than --timeout
        first, second = srv.recv(), srv.recv()
        assert first["id"] == "long" and not first["result"].get("isError")
        assert second["id"] == "next", second
        assert not second["result"].get("isError"), text_of(second["result"])


def test_short_results_read_late_do_not_count_against_requests():
    """Short results written while the next request is on its way go out
    only when stdout takes them without blocking: a client that reads late,
    with the pipe full, costs no request its --timeout."""
    with server(args=["--timeout", "1"]) as srv:
        run_id = start_run(srv)
        calls = [json.dumps({"jsonrpc": "2.0", "id": i, "method": "tools/call",
                             "params": {"name": "get_single_gumloop_flow_run_by_id",
                                        "arguments": {"run_id": run_id}}})
                 for i in range(150)]      # some 140 KB of results
        srv.send_raw("\n".join(calls) + "\n")
        time.sleep(2.5)     # the client reads late: longer than --timeout
        replies = [srv.recv() for _ in calls]
        assert [r["id"] for r in replies] == list(range(150))
        failed = [r for r in replies if r["result"].get("isError")]
        assert not failed, text_of(failed[0]["result"])


def test_sigterm_during_a_wait_ends_the_process_promptly():
    with server() as srv:
        begin_long_wait(srv, 22)
        start = time.time()
        srv.proc.send_signal(signal.SIGTERM)
        srv.proc.wait(30)
        assert time.time() - start < 5, "exit took %.1fs" % (time.time() - start)


def test_wait_tools_are_read_only_and_take_timeout_seconds():
    with server() as srv:
        tools = {t["name"]: t for t in srv.list_tools()}
        w = tools["wait_for_gumloop_flow_run"]
        assert hint(w, "readOnlyHint") is True
        props = w["inputSchema"]["properties"]
        assert "timeout_seconds" in props and "run_id" in props
        assert w["inputSchema"]["required"] == ["run_id"]
        assert schema.admits_error(w["outputSchema"])
        c = tools["create_a_gumloop_flow_run"]
        assert "wait_seconds" in c["inputSchema"]["properties"]


if __name__ == "__main__":
    harness.main(globals())
