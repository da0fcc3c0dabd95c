#!/usr/bin/env python3
"""The logging capability through the real binary: the server tells the
client's log (notifications/message) what a user should know, at its
level (a 429 on a poll or a retried read: warning; a failed poll tried
again: notice; a wait capped by --max-wait: warning; an approval waiting:
notice; an audit line not written: error), never below the
threshold the client set (legacy logging/setLevel, or the 2026-07-28
_meta log level of the request), and never a secret."""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
import harness  # noqa: E402
from fake import SharedFake  # noqa: E402
from mcp import Server, TEST_KEY, structured  # noqa: E402

PRICING = "flow_competitor_pricing"
fake = SharedFake(run_ms=300, queue_ms=20)
ENV = {"GUMLOOP_MCP_POLL_MS": "50"}
MODERN = {"io.modelcontextprotocol/protocolVersion": "2026-07-28",
          "io.modelcontextprotocol/clientCapabilities": {}}


def server(level=None, args=(), version="2025-11-25"):
    fake.reset()
    srv = Server(fake=fake, args=args, extra_env=ENV)
    srv.initialize(version)
    if level:
        assert srv.request("logging/setLevel", {"level": level})["result"] == {}
    return srv


def start_run(srv):
    res = srv.call("create_a_gumloop_flow_run", {"saved_item_id": PRICING})
    assert not res.get("isError"), res
    return structured(res)["run_id"]


def logged(srv):
    """(level, data) of every notifications/message seen so far."""
    return [(n["params"]["level"], n["params"]["data"])
            for n in srv.notifications
            if n.get("method") == "notifications/message"]


def faulty_wait(srv, run_id, meta=None):
    """A wait whose polls meet one 429 (Retry-After 1), then one 502."""
    fake.fault(path="/api/v1/get_pl_run", status=429, times=1,
               headers={"Retry-After": "1"}, body={"error": "rate_limited"})
    fake.fault(path="/api/v1/get_pl_run", status=502, times=1,
               body={"error": "bad_gateway"})
    res = srv.call("wait_for_gumloop_flow_run",
                   {"run_id": run_id, "timeout_seconds": 20}, meta=meta,
                   timeout=30)
    assert not res.get("isError"), res
    assert structured(res)["state"] == "DONE", res
    return res


def test_nothing_is_logged_before_the_client_asks():
    with server() as srv:
        faulty_wait(srv, start_run(srv))
        assert logged(srv) == [], logged(srv)


def test_a_429_on_a_poll_is_a_warning_a_failed_poll_a_notice():
    with server("notice") as srv:
        run_id = start_run(srv)
        faulty_wait(srv, run_id)
        got = logged(srv)
        assert [lv for lv, _ in got] == ["warning", "notice"], got
        assert "429" in got[0][1] and run_id in got[0][1], got
        assert "next poll" in got[0][1], got
        assert "502" in got[1][1] and "trying again" in got[1][1], got


def test_below_the_threshold_nothing_is_sent():
    with server("warning") as srv:
        faulty_wait(srv, start_run(srv))
        assert [lv for lv, _ in logged(srv)] == ["warning"], logged(srv)
    with server("error") as srv:
        faulty_wait(srv, start_run(srv))
        assert logged(srv) == [], logged(srv)


def test_a_retried_read_is_a_warning():
    with server("debug") as srv:
        fake.fault(path="/api/v1/list_saved_items", status=429, times=1,
                   headers={"Retry-After": "1"}, body={"error": "slow_down"})
        res = srv.call("list_all_gumloop_flows")
        assert not res.get("isError"), res
        got = logged(srv)
        assert len(got) == 1 and got[0][0] == "warning", got
        assert "list_all_gumloop_flows" in got[0][1], got
        assert "HTTP 429" in got[0][1] and "retrying in 1 s" in got[0][1], got


def test_a_wait_capped_by_max_wait_is_a_warning():
    with server("info", args=["--max-wait", "1"]) as srv:
        fake.config(run_ms=60000)
        run_id = start_run(srv)
        res = srv.call("wait_for_gumloop_flow_run",
                       {"run_id": run_id, "timeout_seconds": 30})
        assert structured(res).get("timed_out") is True, res
        got = logged(srv)
        assert len(got) == 1 and got[0][0] == "warning", got
        assert "timeout_seconds 30" in got[0][1], got
        assert "--max-wait" in got[0][1] and "1 s" in got[0][1], got
        res = srv.call("create_a_gumloop_flow_run",
                       {"saved_item_id": PRICING, "wait_seconds": 600})
        assert structured(res)["run_id"], res
        got = logged(srv)[1:]
        assert len(got) == 1 and "wait_seconds 600" in got[0][1], got


def test_the_modern_log_level_of_the_request_is_the_threshold():
    """2026-07-28: the request's own _meta log level; none means none."""
    with server(version="2025-11-25") as srv:
        run_id = start_run(srv)
        faulty_wait(srv, run_id, meta=dict(MODERN))
        assert logged(srv) == [], logged(srv)
        faulty_wait(srv, run_id, meta=dict(
            MODERN, **{"io.modelcontextprotocol/logLevel": "warning"}))
        assert [lv for lv, _ in logged(srv)] == ["warning"], logged(srv)
        srv.notifications[:] = []
        faulty_wait(srv, run_id, meta=dict(
            MODERN, **{"io.modelcontextprotocol/logLevel": "debug"}))
        assert [lv for lv, _ in logged(srv)] == ["warning", "notice"], \
            logged(srv)


def approval_server(elicitation):
    fake.reset()
    srv = Server(fake=fake, extra_env=dict(ENV, GUMLOOP_MCP_POLL_RATE="100"))
    caps = {"elicitation": {"form": {}}} if elicitation else {}
    srv.request("initialize", {"protocolVersion": "2025-11-25",
                               "capabilities": caps,
                               "clientInfo": {"name": "t", "version": "1"}})
    srv.notify("notifications/initialized")
    assert srv.request("logging/setLevel", {"level": "notice"})["result"] == {}
    srv.send({"jsonrpc": "2.0", "id": "w", "method": "tools/call",
              "params": {"name": "create_a_gumloop_session",
                         "arguments": {"agent_id": "agent_sales_ops",
                                       "input": "email the CRM export",
                                       "wait_seconds": 30}}})
    return srv


def test_an_approval_waiting_is_a_notice():
    """A session stops in approval_required: the log says a person must
    decide, whether the client's user was asked or the result says so."""
    with approval_server(elicitation=True) as srv:
        ask = None
        while ask is None or not logged(srv):
            msg = srv.recv(20)
            if msg.get("method") == "elicitation/create":
                ask = msg
            else:
                assert "id" not in msg, msg
                srv.notifications.append(msg)
        got = logged(srv)
        assert len(got) == 1 and got[0][0] == "notice", got
        assert "person's decision" in got[0][1] and "asked" in got[0][1], got
        srv.send({"jsonrpc": "2.0", "id": ask["id"],
                  "result": {"action": "decline"}})
        res = srv.recv_response("w", timeout=20)["result"]
        assert structured(res)["state"] == "approval_required", res
    with approval_server(elicitation=False) as srv:
        res = srv.recv_response("w", timeout=20)["result"]
        assert structured(res)["state"] == "approval_required", res
        got = logged(srv)
        assert len(got) == 1 and got[0][0] == "notice", got
        assert "approval_required" in got[0][1], got
        assert structured(res)["session_id"] in got[0][1], got


def test_an_audit_line_that_cannot_be_written_is_an_error():
    import tempfile
    path = os.path.join(tempfile.mkdtemp(), "audit.jsonl")
    with server("error", args=["--audit-log", path]) as srv:
        assert not srv.call("list_all_gumloop_flows").get("isError")
        assert logged(srv) == [], logged(srv)
        os.unlink(path)
        srv.call("list_all_gumloop_flows")
        got = logged(srv)
        assert len(got) == 1 and got[0][0] == "error", got
        assert "list_all_gumloop_flows" in got[0][1], got
        assert "not in the audit log" in got[0][1], got
        assert "removed" in got[0][1], got


def test_log_messages_never_carry_the_key():
    """A Gumloop error body echoing the key: the retried read's message
    names the status only, and the line on the wire is redacted anyway."""
    with server("debug") as srv:
        fake.fault(path="/api/v1/list_saved_items", status=429, times=1,
                   headers={"Retry-After": "0"},
                   body={"error": "bad key " + TEST_KEY})
        srv.call("list_all_gumloop_flows")
        assert logged(srv), "nothing was logged"
        assert not any(TEST_KEY.encode() in line for line in srv.lines)


if __name__ == "__main__":
    harness.main(globals())
