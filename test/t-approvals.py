#!/usr/bin/env python3
"""A person decides, through the client: a session in approval_required
met by a client that can ask its user (elicitation, one form per pending
action), accept and decline, a client that cannot ask, --read-only, and
tasks (input_required: elicitation in 2025-11-25, inputRequests answered by
tasks/update in 2026-07-28). The server never decides by itself."""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
import harness  # noqa: E402
from fake import SharedFake  # noqa: E402
from mcp import Server, structured  # noqa: E402
from tooltest import FAST_POLL_ENV  # noqa: E402

SALES = "agent_sales_ops"
EXT = "io.modelcontextprotocol/tasks"
fake = SharedFake(run_ms=200, queue_ms=20)
ENV = dict(FAST_POLL_ENV, GUMLOOP_MCP_POLL_RATE="100")
ASKING = {"agent_id": SALES, "input": "email the CRM export to sales"}


def server(elicitation=True, version="2025-11-25", args=()):
    fake.reset()
    srv = Server(fake=fake, extra_env=ENV, args=list(args))
    caps = {"elicitation": {"form": {}}} if elicitation else {}
    srv.request("initialize", {"protocolVersion": version,
                               "capabilities": caps,
                               "clientInfo": {"name": "t", "version": "1"}})
    srv.notify("notifications/initialized")
    return srv


def approvals_sent(sid):
    return [r for r in fake.requests("/sessions/%s/approvals" % sid,
                                     method="POST")]


def next_elicitation(srv, timeout=15):
    """Reads until the server asks (a request with an id): returns it."""
    while True:
        msg = srv.recv(timeout)
        if msg.get("method") == "elicitation/create":
            return msg
        assert "method" in msg, "answered before asking: %r" % msg
        srv.notifications.append(msg)


def answer(srv, req, action, content=None):
    result = {"action": action}
    if content is not None:
        result["content"] = content
    srv.send({"jsonrpc": "2.0", "id": req["id"], "result": result})


def start_asking(srv, id="w", extra=None):
    args = dict(ASKING, wait_seconds=30, **(extra or {}))
    srv.send({"jsonrpc": "2.0", "id": id, "method": "tools/call",
              "params": {"name": "create_a_gumloop_session",
                         "arguments": args}})


def test_accept_through_the_client_and_the_wait_goes_on():
    with server() as srv:
        start_asking(srv)
        ask = next_elicitation(srv)
        p = ask["params"]
        assert p["mode"] == "form", p
        assert "send_email" in p["message"] and "sales@example.com" in \
            p["message"], p
        assert p["requestedSchema"]["properties"]["decision"]["enum"] == \
            ["accept", "reject"], p
        answer(srv, ask, "accept", {"decision": "accept",
                                    "reason": "fine by me"})
        res = srv.recv_response("w", timeout=20)["result"]
        sc = structured(res)
        assert not res.get("isError") and sc["state"] == "completed", res
        assert sc["reply"].startswith("Sent the email"), sc
        (sent,) = approvals_sent(sc["session_id"])
        (r,) = sent["body"]["approval_responses"]
        assert r["action"] == "accept" and r["reason"] == "fine by me", r


def test_reject_in_the_form_is_sent_as_reject():
    with server() as srv:
        start_asking(srv)
        ask = next_elicitation(srv)
        answer(srv, ask, "accept", {"decision": "reject"})
        res = srv.recv_response("w", timeout=20)["result"]
        sc = structured(res)
        assert sc["state"] == "completed", sc
        (sent,) = approvals_sent(sc["session_id"])
        assert sent["body"]["approval_responses"][0]["action"] == "reject"


def test_a_declined_form_ends_the_wait_and_sends_nothing():
    for action in ("decline", "cancel"):
        with server() as srv:
            start_asking(srv)
            ask = next_elicitation(srv)
            answer(srv, ask, action)
            res = srv.recv_response("w", timeout=20)["result"]
            sc = structured(res)
            assert not res.get("isError"), res
            assert sc["state"] == "approval_required", sc
            assert sc["pending_approvals"], sc
            assert not approvals_sent(sc["session_id"]), action


def test_an_error_answer_is_a_cancelled_form():
    with server() as srv:
        start_asking(srv)
        ask = next_elicitation(srv)
        srv.send({"jsonrpc": "2.0", "id": ask["id"],
                  "error": {"code": -32603, "message": "no UI"}})
        res = srv.recv_response("w", timeout=20)["result"]
        assert structured(res)["state"] == "approval_required"


def test_other_calls_go_on_while_the_user_decides():
    with server() as srv:
        start_asking(srv)
        ask = next_elicitation(srv)
        res = srv.call("list_all_gumloop_flows")
        assert structured(res)["saved_items"]
        answer(srv, ask, "accept", {"decision": "accept"})
        assert structured(srv.recv_response("w", timeout=20)["result"])[
            "state"] == "completed"


def test_a_client_without_elicitation_is_not_asked():
    with server(elicitation=False) as srv:
        start_asking(srv)
        msg = srv.recv(20)
        assert msg.get("id") == "w", msg
        assert structured(msg["result"])["state"] == "approval_required"


def test_2025_06_18_forms_have_no_mode():
    with server(version="2025-06-18") as srv:
        start_asking(srv)
        ask = next_elicitation(srv)
        assert "mode" not in ask["params"], ask
        answer(srv, ask, "cancel")
        srv.recv_response("w", timeout=20)


def test_read_only_never_asks_and_never_sends_an_approval():
    fake.reset()
    # the session is started by a writer; a read-only server waits on it
    with Server(fake=fake, extra_env=ENV) as writer:
        writer.initialize()
        st = structured(writer.call("create_a_gumloop_session",
                                    dict(ASKING, wait_seconds=20)))
        assert st["state"] == "approval_required", st
    srv = Server(fake=fake, extra_env=ENV, args=["--read-only"])
    srv.request("initialize", {"protocolVersion": "2025-11-25",
                               "capabilities": {"elicitation": {}},
                               "clientInfo": {"name": "t", "version": "1"}})
    with srv:
        srv.send({"jsonrpc": "2.0", "id": "ro", "method": "tools/call",
                  "params": {"name": "wait_for_gumloop_session",
                             "arguments": {"session_id": st["session_id"]}}})
        msg = srv.recv(20)
        assert msg.get("id") == "ro", msg
        assert structured(msg["result"])["state"] == "approval_required"
    assert not approvals_sent(st["session_id"])


def test_a_legacy_task_is_input_required_while_asking():
    with server() as srv:
        srv.send({"jsonrpc": "2.0", "id": "t", "method": "tools/call",
                  "params": {"name": "create_a_gumloop_session",
                             "arguments": ASKING, "task": {}}})
        task = srv.recv_response("t")["result"]["task"]
        ask = next_elicitation(srv)
        assert ask["params"]["_meta"][
            "io.modelcontextprotocol/related-task"]["taskId"] == \
            task["taskId"], ask
        got = srv.request("tasks/get", {"taskId": task["taskId"]})["result"]
        assert got["status"] == "input_required", got
        answer(srv, ask, "accept", {"decision": "accept"})
        res = srv.request("tasks/result", {"taskId": task["taskId"]},
                          timeout=20)["result"]
        assert structured(res)["state"] == "completed", res


def test_a_modern_task_asks_through_input_requests():
    fake.reset()
    meta = {"io.modelcontextprotocol/protocolVersion": "2026-07-28",
            "io.modelcontextprotocol/clientCapabilities": {
                "extensions": {EXT: {}}, "elicitation": {}}}
    with Server(fake=fake, extra_env=ENV) as srv:
        r = srv.request("tools/call", {"name": "create_a_gumloop_session",
                                       "arguments": ASKING,
                                       "_meta": meta})["result"]
        assert r["resultType"] == "task", r
        deadline = time.time() + 15
        while True:
            got = srv.request("tasks/get", {"taskId": r["taskId"],
                                            "_meta": meta})["result"]
            if got["status"] == "input_required" or time.time() > deadline:
                break
            time.sleep(0.1)
        assert got["status"] == "input_required", got
        (key, req), = got["inputRequests"].items()
        assert req["method"] == "elicitation/create", req
        assert "send_email" in req["params"]["message"]
        ack = srv.request("tasks/update", {
            "taskId": r["taskId"], "_meta": meta,
            "inputResponses": {key: {"action": "accept",
                                     "content": {"decision": "accept"}},
                               "not-asked": {"action": "accept"}}})
        assert ack["result"]["resultType"] == "complete", ack
        deadline = time.time() + 15
        while True:
            got = srv.request("tasks/get", {"taskId": r["taskId"],
                                            "_meta": meta})["result"]
            if got["status"] not in ("working", "input_required") or \
                    time.time() > deadline:
                break
            time.sleep(0.1)
        assert got["status"] == "completed", got
        assert structured(got["result"])["state"] == "completed", got
        # keys stay unique for the task's life: the used one is gone
        assert "inputRequests" not in got


if __name__ == "__main__":
    harness.main(globals())
