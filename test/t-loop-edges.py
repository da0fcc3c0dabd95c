#!/usr/bin/env python3
"""Edges of the one loop found by an adversarial review, through the real
binary: a wait queued past 32 that runs out of time while queued, a ping
answered while a batch's request is in flight, a cancellation while a
write is in flight, and the like."""
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
import harness  # noqa: E402
from fake import SharedFake  # noqa: E402
from mcp import structured  # noqa: E402
from tooltest import collect, fresh_server, send_call  # noqa: E402

PRICING = "flow_competitor_pricing"
fake = SharedFake(run_ms=300, queue_ms=20)
MANY = {"GUMLOOP_MCP_POLL_RATE": "200"}


def server(**kw):
    return fresh_server(fake, **kw)


def start_run(srv):
    res = srv.call("create_a_gumloop_flow_run", {"saved_item_id": PRICING})
    assert not res.get("isError"), res
    return structured(res)["run_id"]


def test_a_wait_queued_past_32_still_answers_within_its_time():
    """32 long waits fill the slots; a 33rd with timeout_seconds 2 is
    queued, and still answers (timed out) within its 2 s + 1 s, not when
    a slot frees up."""
    with server(extra_env=MANY) as srv:
        fake.config(run_ms=60000)
        run_id = start_run(srv)
        for i in range(32):
            send_call(srv, i, "wait_for_gumloop_flow_run",
                      {"run_id": run_id, "timeout_seconds": 30})
        time.sleep(0.3)
        started = time.time()
        send_call(srv, "late", "wait_for_gumloop_flow_run",
                  {"run_id": run_id, "timeout_seconds": 2})
        answers, _, _ = collect(srv, ["late"], timeout=20)
        took = time.time() - started
        assert took < 3.5, "the queued wait answered after %.1f s" % took
        res = answers["late"]["result"]
        assert structured(res).get("timed_out") is True, res
        assert structured(res)["run_id"] == run_id, res


def test_waits_sharing_a_low_poll_rate_still_answer_in_time():
    """At --poll-rate 1, six waits of 2 s on runs that go on: the polls
    they share cannot all happen in 2 s, yet each answers (timed out,
    with the last state it saw) within its 2 s + 1 s: one that has seen a
    state ends with it, one that has not makes its one poll then."""
    with server(extra_env={"GUMLOOP_MCP_POLL_RATE": "1"}) as srv:
        fake.config(run_ms=60000)
        runs = [start_run(srv) for _ in range(6)]
        started = time.time()
        for i, run_id in enumerate(runs):
            send_call(srv, i, "wait_for_gumloop_flow_run",
                      {"run_id": run_id, "timeout_seconds": 2})
        answers, _, _ = collect(srv, list(range(6)), timeout=20)
        took = time.time() - started
        assert took < 3.2, "the last wait of 2 s answered after %.1f s" % took
        for i, a in answers.items():
            res = structured(a["result"])
            assert res.get("timed_out") is True, a
            assert res["run_id"] == runs[i], a


def test_a_ping_during_a_batch_in_flight_is_its_own_answer():
    """2025-03-26: a batch's tools/call is in flight when a ping comes;
    the ping is answered at once on its own line, not inside the batch's
    array when the batch ends."""
    fake.reset()
    srv = fake_server_2025_03_26()
    with srv:
        fake.fault(path="/api/v1/list_saved_items", delay_ms=4000,
                   pass_through=True, times=1)
        srv.send([{"jsonrpc": "2.0", "id": "b1", "method": "tools/call",
                   "params": {"name": "list_all_gumloop_flows",
                              "arguments": {}}}])
        deadline = time.time() + 10
        while not fake.requests("/api/v1/list_saved_items") and \
                time.time() < deadline:
            time.sleep(0.02)
        started = time.time()
        srv.send({"jsonrpc": "2.0", "id": "p1", "method": "ping"})
        first = json.loads(srv.read_line(10))
        # before the batch's answer, alone: libcurl's progress callback,
        # where a request in flight looks at stdin, runs about once a
        # second when idle, so no tighter time is promised
        assert first == {"jsonrpc": "2.0", "id": "p1", "result": {}}, first
        assert time.time() - started < 3.5, "the ping waited for the batch"
        second = json.loads(srv.read_line(10))
        assert [m["id"] for m in second] == ["b1"], second


def audit_lines(path):
    with open(path) as f:
        return [json.loads(line) for line in f]


def test_a_cancelled_write_in_flight_runs_to_its_answer_and_is_kept():
    """A cancellation while a create's POST is in flight: no answer goes
    out, but the write is not cut short (its outcome would be unknown):
    the audit line says ok with its status, and a repeat with the same
    idempotency_key replays the run instead of starting a second one."""
    import tempfile
    log = os.path.join(tempfile.mkdtemp(), "audit.jsonl")
    args = {"saved_item_id": PRICING, "idempotency_key": "k-cancel-1"}
    with server(args=["--audit-log", log]) as srv:
        fake.fault(path="/api/v1/start_pipeline", method="POST",
                   delay_ms=1500, pass_through=True, times=1)
        send_call(srv, "c", "create_a_gumloop_flow_run", args)
        deadline = time.time() + 10
        while not fake.requests("/api/v1/start_pipeline") and \
                time.time() < deadline:
            time.sleep(0.02)
        srv.notify("notifications/cancelled", {"requestId": "c"})
        assert srv.request("ping", id="p")["result"] == {}
        res = srv.call("create_a_gumloop_flow_run", args, timeout=20)
        assert not res.get("isError"), res
        assert structured(res)["run_id"], res
        assert len(fake.requests("/api/v1/start_pipeline")) == 1, \
            "the repeat started a second run"
        assert not any(json.loads(l).get("id") == "c" for l in srv.lines)
    first = audit_lines(log)[0]
    assert (first["outcome"], first["status"]) == ("ok", 200), first


def test_a_create_cancelled_while_it_waits_is_kept_with_its_id():
    """A create with wait_seconds cancelled between polls: no answer, but
    a repeat with the same idempotency_key replays the run it started
    (with its run_id), and the audit line says ok."""
    import tempfile
    log = os.path.join(tempfile.mkdtemp(), "audit.jsonl")
    args = {"saved_item_id": PRICING, "idempotency_key": "k-cancel-2",
            "wait_seconds": 30}
    with server(args=["--audit-log", log]) as srv:
        fake.config(run_ms=60000)
        send_call(srv, "cw", "create_a_gumloop_flow_run", args, token="t")
        msg = srv.recv(10)
        assert msg.get("method") == "notifications/progress", msg
        srv.notify("notifications/cancelled", {"requestId": "cw"})
        assert srv.request("ping", id="p")["result"] == {}
        res = srv.call("create_a_gumloop_flow_run", args, timeout=20)
        assert len(fake.requests("/api/v1/start_pipeline")) == 1, \
            "the repeat started a second run"
        assert structured(res)["run_id"], res
    first = audit_lines(log)[0]
    assert (first["outcome"], first["status"]) == ("ok", 200), first


def test_a_resource_read_in_flight_answers_pings_and_its_cancellation():
    """resources/read calls a tool in place: while its request is in
    flight a ping is answered (not after Gumloop answers), and a
    cancellation of the read cuts it short with no answer."""
    with server() as srv:
        fake.config(run_ms=300)
        run_id = start_run(srv)
        uri = "gumloop://runs/" + run_id
        fake.fault(path="/api/v1/get_pl_run", delay_ms=4000,
                   pass_through=True, times=2)
        srv.send({"jsonrpc": "2.0", "id": "r", "method": "resources/read",
                  "params": {"uri": uri}})
        time.sleep(0.3)
        started = time.time()
        assert srv.request("ping", id="p")["result"] == {}
        assert time.time() - started < 2.5, "the ping waited for the read"
        srv.recv_response("r", timeout=10)
        srv.send({"jsonrpc": "2.0", "id": "r2", "method": "resources/read",
                  "params": {"uri": uri}})
        time.sleep(0.3)
        srv.notify("notifications/cancelled", {"requestId": "r2"})
        started = time.time()
        assert srv.request("ping", id="p2")["result"] == {}
        assert srv.quiet(1.0)
        assert time.time() - started < 2.5, "the cancelled read went on"
        assert not any(json.loads(l).get("id") == "r2" for l in srv.lines)


def test_a_secret_inside_a_number_is_redacted_to_valid_json():
    """A numeric key that shows inside a number (an id the client chose):
    the whole number is redacted, and the line stays one JSON value."""
    from mcp import Server
    key = "12345678"
    with Server(fake=fake, key=key) as srv:
        srv.initialize()
        srv.send_raw('{"jsonrpc":"2.0","id":991234567899,"method":"ping"}\n')
        srv.send_raw('{"jsonrpc":"2.0","id":12345678,"method":"ping"}\n')
        srv.send_raw('{"jsonrpc":"2.0","id":-1.12345678e5,"method":"ping"}\n')
        for _ in range(3):
            line = srv.read_line(10)
            msg = json.loads(line)
            assert key.encode() not in line, line
            assert msg["id"] in ("[redacted]", None), msg


def test_a_ping_nested_in_a_batch_leaves_its_ids_as_sent():
    """A batch whose second request's id holds a lone surrogate (echoed
    as sent) keeps it when a ping was answered during its first one."""
    fake.reset()
    srv = fake_server_2025_03_26()
    with srv:
        fake.fault(path="/api/v1/list_saved_items", delay_ms=4000,
                   pass_through=True, times=1)
        srv.send_raw('[{"jsonrpc":"2.0","id":"b1","method":"tools/call",'
                     '"params":{"name":"list_all_gumloop_flows",'
                     '"arguments":{}}},{"jsonrpc":"2.0","id":"\\ud83d",'
                     '"method":"ping"}]\n')
        deadline = time.time() + 10
        while not fake.requests("/api/v1/list_saved_items") and \
                time.time() < deadline:
            time.sleep(0.02)
        srv.send({"jsonrpc": "2.0", "id": "p1", "method": "ping"})
        assert json.loads(srv.read_line(10))["id"] == "p1"
        line = srv.read_line(10)
        assert line.endswith(b'{"jsonrpc":"2.0","id":"\\ud83d",'
                             b'"result":{}}]'), line[-100:]


def fake_server_2025_03_26():
    from mcp import Server
    srv = Server(fake=fake, extra_env={"GUMLOOP_MCP_POLL_MS": "50"})
    srv.initialize("2025-03-26")
    return srv


if __name__ == "__main__":
    harness.main(globals())
