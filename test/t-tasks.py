#!/usr/bin/env python3
"""MCP tasks through the real binary, in both eras: 2025-11-25's
experimental tasks (params.task, tasks/get, tasks/result, tasks/list,
tasks/cancel, notifications/tasks/status) and the 2026-07-28 extension
io.modelcontextprotocol/tasks (resultType task, tasks/get with the result
inline, tasks/update, tasks/cancel, -32021). Also: a task's result equals
the plain call's, a restart between create and tasks/get, cancellation
reaching the fake, 32 tasks with a quick call among them, the audit log."""
import base64
import json
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
import harness  # noqa: E402
from fake import SharedFake  # noqa: E402
from mcp import Server, structured  # noqa: E402
from tooltest import FAST_POLL_ENV  # noqa: E402

PRICING = "flow_competitor_pricing"
EXT = "io.modelcontextprotocol/tasks"
fake = SharedFake(run_ms=300, queue_ms=20)
ENV = dict(FAST_POLL_ENV, GUMLOOP_MCP_POLL_RATE="200")


def legacy(**kw):
    fake.reset()
    srv = Server(fake=fake, extra_env=ENV, **kw)
    srv.initialize("2025-11-25")
    return srv


def modern_meta(tasks=True):
    caps = {"extensions": {EXT: {}}} if tasks else {}
    return {"io.modelcontextprotocol/protocolVersion": "2026-07-28",
            "io.modelcontextprotocol/clientCapabilities": caps}


def modern(**kw):
    fake.reset()
    return Server(fake=fake, extra_env=ENV, **kw)


def call_task(srv, name, args, ttl=None, id=None):
    params = {"name": name, "arguments": args, "task": {}}
    if ttl:
        params["task"]["ttl"] = ttl
    return srv.request("tools/call", params, id=id)


def task_get(srv, task_id, meta=None):
    params = {"taskId": task_id}
    if meta:
        params["_meta"] = meta
    return srv.request("tasks/get", params)


def until_ended(srv, task_id, meta=None, timeout=15):
    deadline = time.time() + timeout
    while time.time() < deadline:
        r = task_get(srv, task_id, meta)["result"]
        if r["status"] not in ("working", "input_required"):
            return r
        time.sleep(0.1)
    raise AssertionError("task %s did not end" % task_id)


def same_result(a, b):
    """Two CallToolResults alike but for what differs per run."""
    sa, sb = a["structuredContent"], b["structuredContent"]
    return sorted(sa) == sorted(sb) and sa["state"] == sb["state"] and \
        a.get("isError") == b.get("isError")


def test_capabilities_and_tool_support_per_era():
    fake.reset()
    with Server(fake=fake, extra_env=ENV) as srv:
        init = srv.request("initialize", {
            "protocolVersion": "2025-11-25", "capabilities": {},
            "clientInfo": {"name": "t", "version": "1"}})["result"]
        assert init["capabilities"]["tasks"] == {
            "list": {}, "cancel": {}, "requests": {"tools": {"call": {}}}}
        tools = {t["name"]: t for t in srv.list_tools()}
        optional = sorted(n for n, t in tools.items()
                          if t.get("execution", {}).get("taskSupport") ==
                          "optional")
        assert optional == sorted([
            "create_a_gumloop_flow_run", "create_a_gumloop_session",
            "create_a_gumloop_session_message",
            "create_a_gumloop_agent_interaction", "wait_for_gumloop_flow_run",
            "wait_for_gumloop_session",
            "wait_for_gumloop_agent_interaction"]), optional
    with modern() as srv:
        d = srv.request("server/discover", {"_meta": modern_meta()})["result"]
        assert d["capabilities"]["extensions"] == {EXT: {}}, d
        assert "tasks" not in d["capabilities"]


def test_legacy_task_runs_to_the_end_with_the_same_result():
    with legacy() as srv:
        plain = srv.call("create_a_gumloop_flow_run",
                         {"saved_item_id": PRICING, "wait_seconds": 30})
        r = call_task(srv, "create_a_gumloop_flow_run",
                      {"saved_item_id": PRICING})["result"]
        task = r["task"]
        assert task["status"] == "working" and task["ttl"] > 0, r
        assert task["pollInterval"] > 0 and task["taskId"].startswith("run.")
        ended = until_ended(srv, task["taskId"])
        assert ended["status"] == "completed", ended
        res = srv.request("tasks/result", {"taskId": task["taskId"]})["result"]
        assert res["_meta"]["io.modelcontextprotocol/related-task"] == {
            "taskId": task["taskId"]}
        assert structured(res)["state"] == "DONE"
        assert "resultType" not in res, res     # not in 2025-11-25
        assert same_result(plain["result"] if "result" in plain else plain,
                           res), (plain, res)


def test_tasks_result_blocks_until_the_task_ends():
    with legacy() as srv:
        fake.config(run_ms=800)
        task = call_task(srv, "create_a_gumloop_flow_run",
                         {"saved_item_id": PRICING})["result"]["task"]
        srv.send({"jsonrpc": "2.0", "id": "r", "method": "tasks/result",
                  "params": {"taskId": task["taskId"]}})
        # a quick call is answered while tasks/result waits
        assert srv.request("ping", id="p")["result"] == {}
        res = srv.recv_response("r", timeout=15)["result"]
        assert structured(res)["state"] == "DONE"
        statuses = [n["params"]["status"] for n in srv.notifications
                    if n.get("method") == "notifications/tasks/status"]
        assert "completed" in statuses, srv.notifications


def test_a_tool_error_is_failed_in_2025_and_completed_in_2026():
    args = {"saved_item_id": "flow_broken_import"}
    with legacy() as srv:
        task = call_task(srv, "create_a_gumloop_flow_run",
                         args)["result"]["task"]
        ended = until_ended(srv, task["taskId"])
        assert ended["status"] == "failed", ended
        res = srv.request("tasks/result", {"taskId": task["taskId"]})["result"]
        assert res["isError"] is True
    with modern() as srv:
        meta = modern_meta()
        r = srv.request("tools/call", {"name": "create_a_gumloop_flow_run",
                                       "arguments": args, "_meta": meta})
        r = r["result"]
        assert r["resultType"] == "task" and r["ttlMs"] > 0, r
        ended = until_ended(srv, r["taskId"], meta)
        assert ended["status"] == "completed" and \
            ended["result"]["isError"] is True, ended
        assert ended["resultType"] == "complete"


def test_modern_without_the_extension_gets_plain_results_and_32021():
    with modern() as srv:
        meta = modern_meta(tasks=False)
        r = srv.request("tools/call", {
            "name": "create_a_gumloop_flow_run",
            "arguments": {"saved_item_id": PRICING}, "_meta": meta})["result"]
        assert r["resultType"] == "complete" and "taskId" not in r, r
        e = srv.request("tasks/get", {"taskId": "run.eA.0123456789abcdef01234567",
                                      "_meta": meta})["error"]
        assert e["code"] == -32021, e
        assert EXT in e["data"]["requiredCapabilities"]["extensions"]


def test_modern_task_with_the_result_inline():
    with modern() as srv:
        meta = modern_meta()
        r = srv.request("tools/call", {
            "name": "create_a_gumloop_flow_run",
            "arguments": {"saved_item_id": PRICING}, "_meta": meta})["result"]
        assert r["status"] == "working" and r["pollIntervalMs"] > 0, r
        ended = until_ended(srv, r["taskId"], meta)
        assert structured(ended["result"])["state"] == "DONE", ended
        # the inlined CallToolResult is a 2026-07-28 result, as the plain
        # call's answer is (the ext-tasks client requires its resultType)
        assert ended["resultType"] == "complete", ended
        assert ended["result"]["resultType"] == "complete", ended
        ack = srv.request("tasks/update", {
            "taskId": r["taskId"], "inputResponses": {}, "_meta": meta})
        assert ack["result"]["resultType"] == "complete", ack


def test_unknown_and_malformed_ids_are_32602():
    with legacy() as srv:
        for bad in ["nope", "run.!!.xyz", "x.0123456789abcdef01234567", ""]:
            e = srv.request("tasks/get", {"taskId": bad})["error"]
            assert e["code"] == -32602, (bad, e)
        # well formed, but Gumloop knows no such run
        e = srv.request("tasks/get", {
            "taskId": "run.cnVuX25vcGU.0123456789abcdef01234567"})["error"]
        assert e["code"] == -32602, e


def test_a_task_survives_a_restart():
    fake.reset()
    fake.config(run_ms=1500)
    srv = Server(fake=fake, extra_env=ENV)
    srv.initialize("2025-11-25")
    task = call_task(srv, "create_a_gumloop_flow_run",
                     {"saved_item_id": PRICING})["result"]["task"]
    srv.close()
    with Server(fake=fake, extra_env=ENV) as srv2:
        srv2.initialize("2025-11-25")
        got = task_get(srv2, task["taskId"])["result"]
        assert got["taskId"] == task["taskId"], got
        assert got["status"] in ("working", "completed"), got
        res = srv2.request("tasks/result", {"taskId": task["taskId"]},
                           timeout=20)["result"]
        assert structured(res)["state"] == "DONE", res
        b64 = task["taskId"].split(".")[1]
        run_id = base64.urlsafe_b64decode(b64 + "=" * (-len(b64) % 4))
        assert structured(res)["run_id"] == run_id.decode(), res


def test_cancel_kills_the_run_upstream():
    with legacy() as srv:
        fake.config(run_ms=60000)
        task = call_task(srv, "create_a_gumloop_flow_run",
                         {"saved_item_id": PRICING})["result"]["task"]
        r = srv.request("tasks/cancel", {"taskId": task["taskId"]})["result"]
        assert r["status"] == "cancelled", r
        assert fake.requests("/kill_pipeline", method="POST"), \
            "no kill reached the fake"
        e = srv.request("tasks/cancel", {"taskId": task["taskId"]})["error"]
        assert e["code"] == -32602, e
        assert task_get(srv, task["taskId"])["result"]["status"] == "cancelled"


def test_cancel_of_a_session_task_cancels_the_session():
    with modern() as srv:
        meta = modern_meta()
        fake.config(session_ms=60000)
        r = srv.request("tools/call", {
            "name": "create_a_gumloop_session",
            "arguments": {"agent_id": "agent_research", "input": "go"},
            "_meta": meta})["result"]
        assert r["resultType"] == "task" and r["taskId"].startswith("ses."), r
        ack = srv.request("tasks/cancel", {"taskId": r["taskId"],
                                           "_meta": meta})["result"]
        assert ack["resultType"] == "complete", ack
        assert any(q["path"].endswith("/cancel") for q in
                   fake.requests("/sessions", method="POST")), \
            fake.requests("/sessions")
        got = task_get(srv, r["taskId"], meta)["result"]
        assert got["status"] == "cancelled", got


def test_tasks_list_is_paginated_and_holds_every_task():
    with legacy() as srv:
        ids = [call_task(srv, "wait_for_gumloop_flow_run",
                         {"run_id": "run_%d" % i})["result"]["task"]["taskId"]
               for i in range(3)]
        seen, cursor = [], None
        while True:
            params = {"cursor": cursor} if cursor else {}
            page = srv.request("tasks/list", params)["result"]
            seen += [t["taskId"] for t in page["tasks"]]
            cursor = page.get("nextCursor")
            if not cursor:
                break
        assert set(ids) <= set(seen), (ids, seen)


def test_a_task_on_a_quick_tool_is_method_not_found():
    with legacy() as srv:
        e = call_task(srv, "list_all_gumloop_flows", {})["error"]
        assert e["code"] == -32601, e


def test_32_tasks_and_a_quick_call_among_them():
    with legacy() as srv:
        fake.config(run_ms=2000)
        tasks = [call_task(srv, "create_a_gumloop_flow_run",
                           {"saved_item_id": PRICING})["result"]["task"]
                 for _ in range(32)]
        started = time.time()
        res = srv.call("list_all_gumloop_flows")
        assert structured(res)["saved_items"]
        assert time.time() - started < 1.5, "the quick call waited"
        for t in tasks:
            assert until_ended(srv, t["taskId"])["status"] == "completed"


def test_the_audit_log_has_a_line_at_the_start_and_at_the_end():
    log = os.path.join(tempfile.mkdtemp(), "audit.jsonl")
    with legacy(args=["--audit-log", log]) as srv:
        task = call_task(srv, "create_a_gumloop_flow_run",
                         {"saved_item_id": PRICING})["result"]["task"]
        with open(log) as f:
            assert len(f.readlines()) == 1
        until_ended(srv, task["taskId"])
    with open(log) as f:
        lines = [json.loads(x) for x in f]
    assert [x["tool"] for x in lines] == ["create_a_gumloop_flow_run"] * 2
    assert all(x["outcome"] == "ok" for x in lines), lines


def test_read_only_refuses_a_task_that_would_write():
    with legacy(args=["--read-only"]) as srv:
        r = call_task(srv, "create_a_gumloop_flow_run",
                      {"saved_item_id": PRICING})
        assert "error" in r or r["result"]["task"]["status"] == "failed", r
        assert not fake.requests("/start_pipeline", method="POST")


if __name__ == "__main__":
    harness.main(globals())
