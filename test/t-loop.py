#!/usr/bin/env python3
"""The one loop serving many calls at once, through the real binary: waits
running side by side, quick calls answered between their polls, answers out
of order, per-call progress and cancellation, the queue past 32 waits, the
poll rate, a 429 on a poll, waits that keep their word on time, a create
whose wait fails, end of input and stop signals."""
import json
import os
import signal
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


def polls(run_id=None):
    reqs = fake.requests("/get_pl_run", method="GET")
    if run_id:
        reqs = [r for r in reqs if r["query"].get("run_id") == run_id]
    return reqs


def test_parallel_waits_run_side_by_side():
    """Eight waits on runs of 2 s end together, not one after another
    (one after another would take 16 s)."""
    with server(extra_env=MANY) as srv:
        fake.config(run_ms=2000)
        runs = [start_run(srv) for _ in range(8)]
        started = time.time()
        for i, run_id in enumerate(runs):
            send_call(srv, "w%d" % i, "wait_for_gumloop_flow_run",
                      {"run_id": run_id, "timeout_seconds": 30})
        answers, _, _ = collect(srv, ["w%d" % i for i in range(8)])
        took = time.time() - started
        for a in answers.values():
            assert structured(a["result"])["state"] == "DONE", a
        assert took < 8, "8 waits of 2 s took %.1f s" % took


def test_a_quick_read_is_answered_while_waits_go_on():
    with server(extra_env=MANY) as srv:
        fake.config(run_ms=60000)
        runs = [start_run(srv) for _ in range(8)]
        for i, run_id in enumerate(runs):
            send_call(srv, "w%d" % i, "wait_for_gumloop_flow_run",
                      {"run_id": run_id, "timeout_seconds": 4})
        send_call(srv, "quick", "list_all_gumloop_flows", {})
        answers, order, _ = collect(srv, ["quick"] + ["w%d" % i
                                                      for i in range(8)])
        assert order[0] == "quick", order
        assert structured(answers["quick"]["result"])["saved_items"]
        for i in range(8):
            assert structured(answers["w%d" % i]["result"])["timed_out"]


def test_each_wait_reports_progress_for_its_own_token():
    with server(extra_env=MANY) as srv:
        fake.config(run_ms=800)
        a, b = start_run(srv), start_run(srv)
        send_call(srv, "a", "wait_for_gumloop_flow_run", {"run_id": a},
                  token="tok-a")
        send_call(srv, "b", "wait_for_gumloop_flow_run", {"run_id": b},
                  token=77)
        _, _, notes = collect(srv, ["a", "b"])
        progress = [n["params"] for n in notes
                    if n.get("method") == "notifications/progress"]
        for token, run_id in (("tok-a", a), (77, b)):
            mine = [p for p in progress if p["progressToken"] == token]
            assert mine and all(run_id in p["message"] for p in mine), mine
            values = [p["progress"] for p in mine]
            assert values == sorted(set(values)), values


def test_cancelling_one_call_of_many_ends_that_one_only():
    with server(extra_env=MANY) as srv:
        fake.config(run_ms=1500)
        runs = [start_run(srv) for _ in range(3)]
        for i, run_id in enumerate(runs):
            send_call(srv, i, "wait_for_gumloop_flow_run", {"run_id": run_id})
        time.sleep(0.3)
        srv.notify("notifications/cancelled", {"requestId": 1})
        answers, _, _ = collect(srv, [0, 2])
        assert all(structured(a["result"])["state"] == "DONE"
                   for a in answers.values())
        assert srv.quiet(0.5), "the cancelled call was answered"
        seen = len(polls(runs[1]))
        time.sleep(0.5)
        assert len(polls(runs[1])) == seen, "its polling went on"


def test_past_32_waits_the_rest_queue_and_hear_so():
    with server(extra_env=MANY) as srv:
        fake.config(run_ms=1500)
        run_id = start_run(srv)
        for i in range(34):
            send_call(srv, i, "wait_for_gumloop_flow_run",
                      {"run_id": run_id, "timeout_seconds": 20}, token=i)
        answers, _, notes = collect(srv, list(range(34)), timeout=60)
        assert all(structured(a["result"])["state"] == "DONE"
                   for a in answers.values())
        queued = [n["params"]["progressToken"] for n in notes
                  if n.get("method") == "notifications/progress" and
                  "queued" in n["params"].get("message", "")]
        assert sorted(queued) == [32, 33], queued


def test_polls_of_all_waits_keep_to_the_poll_rate():
    with server(extra_env={"GUMLOOP_MCP_POLL_RATE": "4"}) as srv:
        fake.config(run_ms=60000)
        runs = [start_run(srv) for _ in range(6)]
        before = len(polls())
        for i, run_id in enumerate(runs):
            send_call(srv, i, "wait_for_gumloop_flow_run",
                      {"run_id": run_id, "timeout_seconds": 3})
        collect(srv, list(range(6)))
        n = len(polls()) - before
        # 6 waits polling every 50 ms would make ~360 polls in 3 s
        assert 6 <= n <= 4 * 4 + 6, "%d polls in 3 s at 4 per second" % n


def test_a_429_on_a_poll_delays_that_wait_only():
    with server(extra_env=MANY) as srv:
        fake.config(run_ms=600)
        run_id = start_run(srv)
        fake.fault(path="/api/v1/get_pl_run", status=429, times=1,
                   headers={"Retry-After": "1"},
                   body={"error": "rate_limited"})
        res = srv.call("wait_for_gumloop_flow_run", {"run_id": run_id})
        assert not res.get("isError"), res
        assert structured(res)["state"] == "DONE"


def test_a_poll_never_outlives_the_time_left():
    """Gumloop slow to answer a poll: the wait still answers within
    timeout_seconds + 1 s (the request's --timeout is 30 s)."""
    with server(extra_env=MANY) as srv:
        fake.config(run_ms=60000)
        run_id = start_run(srv)
        fake.fault(path="/api/v1/get_pl_run", delay_ms=20000, times=-1,
                   pass_through=True)
        started = time.time()
        res = srv.call("wait_for_gumloop_flow_run",
                       {"run_id": run_id, "timeout_seconds": 2}, timeout=30)
        took = time.time() - started
        fake.clear_faults()
        assert took < 3.5, "answered after %.1f s" % took
        assert res.get("isError") or structured(res).get("timed_out"), res


def test_a_create_whose_wait_fails_keeps_the_id():
    """The run started, then its polls fail: the result is no error, and
    carries run_id and wait_error, so nobody starts it twice."""
    with server(extra_env=MANY) as srv:
        fake.fault(path="/api/v1/get_pl_run", status=502, times=-1)
        res = srv.call("create_a_gumloop_flow_run",
                       {"saved_item_id": PRICING, "wait_seconds": 10})
        fake.clear_faults()
        assert not res.get("isError"), res
        sc = structured(res)
        assert sc["run_id"] and sc["wait_error"]["status"] == 502, sc
        assert len(fake.requests("/start_pipeline", method="POST")) == 1


def test_a_404_right_after_a_create_does_not_end_its_wait():
    with server(extra_env=MANY) as srv:
        fake.fault(path="/api/v1/get_pl_run", status=404, times=1,
                   body={"error": "not_found"})
        res = srv.call("create_a_gumloop_flow_run",
                       {"saved_item_id": PRICING, "wait_seconds": 10})
        assert not res.get("isError"), res
        assert structured(res)["state"] == "DONE", res


def test_end_of_input_answers_every_wait_and_polls_no_more():
    with server(extra_env=MANY) as srv:
        fake.config(run_ms=60000)
        runs = [start_run(srv) for _ in range(4)]
        for i, run_id in enumerate(runs):
            send_call(srv, i, "wait_for_gumloop_flow_run",
                      {"run_id": run_id, "timeout_seconds": 60})
        time.sleep(0.3)
        srv.proc.stdin.close()
        answers, _, _ = collect(srv, list(range(4)), timeout=10)
        for a in answers.values():
            assert structured(a["result"])["timed_out"] is True, a
        assert srv.proc.wait(5) == 0
        seen = len(polls())
        time.sleep(0.3)
        assert len(polls()) == seen
        srv.proc = None


def test_a_flood_during_waits_is_answered_in_full():
    with server(extra_env=MANY) as srv:
        fake.config(run_ms=3000)
        runs = [start_run(srv) for _ in range(32)]
        lines = []
        for i, run_id in enumerate(runs):
            lines.append(json.dumps({
                "jsonrpc": "2.0", "id": "w%d" % i, "method": "tools/call",
                "params": {"name": "wait_for_gumloop_flow_run",
                           "arguments": {"run_id": run_id}}}))
        for i in range(1000):
            lines.append(json.dumps({
                "jsonrpc": "2.0", "id": i, "method": "tools/call",
                "params": {"name": "get_single_gumloop_flow_run_by_id",
                           "arguments": {"run_id": runs[i % 32]}}}))
        srv.send_raw("\n".join(lines) + "\n")
        ids = ["w%d" % i for i in range(32)] + list(range(1000))
        answers, _, _ = collect(srv, ids, timeout=120)
        assert len(answers) == 1032
        assert all(not a["result"].get("isError") for a in answers.values())


def test_a_post_is_never_sent_twice_on_a_dead_connection():
    """The kept-alive connection dies after the request was written: the
    write is not sent again by itself; the result says the outcome is
    unknown."""
    with server() as srv:
        srv.call("list_all_gumloop_flows")     # a connection to reuse
        before = len(fake.requests("/start_pipeline", method="POST"))
        fake.fault(path="/api/v1/start_pipeline", method="POST", drop=True,
                   times=1)
        res = srv.call("create_a_gumloop_flow_run",
                       {"saved_item_id": PRICING})
        sent = len(fake.requests("/start_pipeline", method="POST")) - before
        assert sent == 1, "start_pipeline sent %d times" % sent
        assert res.get("isError"), res
        assert "may or may not have happened" in res["content"][0]["text"]


def test_sighup_during_a_write_answers_and_audits_it(tmp=None):
    import tempfile
    log = os.path.join(tempfile.mkdtemp(), "audit.jsonl")
    with server(args=["--audit-log", log]) as srv:
        fake.fault(path="/api/v1/start_pipeline", method="POST",
                   delay_ms=800, pass_through=True, times=1)
        send_call(srv, "hup", "create_a_gumloop_flow_run",
                  {"saved_item_id": PRICING})
        time.sleep(0.3)
        srv.proc.send_signal(signal.SIGHUP)
        answers, _, _ = collect(srv, ["hup"])
        assert structured(answers["hup"]["result"])["run_id"]
        assert srv.proc.wait(10) == 0
        srv.proc = None
        with open(log) as f:
            lines = [json.loads(line) for line in f]
        assert [(x["tool"], x["outcome"]) for x in lines] == \
            [("create_a_gumloop_flow_run", "ok")], lines


def test_sigterm_ends_the_process_while_stdout_is_full():
    with server() as srv:
        # answers nobody reads: the pipe (64 KiB) fills within a few lists
        for i in range(200):
            srv.send({"jsonrpc": "2.0", "id": i, "method": "tools/list"})
        time.sleep(1.0)
        srv.proc.send_signal(signal.SIGTERM)
        started = time.time()
        while srv.proc.poll() is None and time.time() - started < 5:
            time.sleep(0.05)
        assert srv.proc.poll() is not None, "still running 5 s after SIGTERM"
        srv.proc = None


def test_a_proxy_from_the_environment_never_sees_plain_http():
    import socket
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(4)
    sock.settimeout(0.5)
    proxy = "http://127.0.0.1:%d" % sock.getsockname()[1]
    env = {"http_proxy": proxy, "HTTP_PROXY": proxy, "ALL_PROXY": proxy,
           "all_proxy": proxy, "NO_PROXY": "", "no_proxy": ""}
    with server(extra_env=env) as srv:
        res = srv.call("list_all_gumloop_flows")
        assert not res.get("isError"), res
    try:
        conn, _ = sock.accept()
        conn.close()
        raise AssertionError("the proxy was connected to")
    except socket.timeout:
        pass
    finally:
        sock.close()


if __name__ == "__main__":
    harness.main(globals())
