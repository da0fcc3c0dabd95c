#!/usr/bin/env python3
"""Safe writes through the real binary: idempotency_key replays without
calling Gumloop (and is never sent), the same key with other arguments is
refused, an identical keyless write after a success or an unknown outcome
is not sent again unless force is true, and a definite HTTP error lets the
repeat through. The fake counts what really went out."""
import json
import os
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
import harness  # noqa: E402
from fake import SharedFake  # noqa: E402
from mcp import Server, hint, structured, text_of  # noqa: E402

fake = SharedFake(run_ms=200, queue_ms=20)
FLOW = "flow_competitor_pricing"
START = "create_a_gumloop_flow_run"
KILL = "kill_a_gumloop_flow_run"


def server(**kw):
    fake.reset()
    srv = Server(fake=fake, **kw)
    srv.initialize()
    return srv


def start_args(**extra):
    args = {"saved_item_id": FLOW,
            "inputs": {"target_url": "https://example.com/pricing"}}
    args.update(extra)
    return args


def new_run(srv):
    """A running flow run to kill (force: each start is meant)."""
    res = srv.call(START, start_args(force=True))
    assert not res.get("isError"), res
    return structured(res)["run_id"]


def starts():
    return fake.requests(path_prefix="/start_pipeline")


def kills():
    return fake.requests(path_prefix="/kill_pipeline")


def test_same_key_returns_the_first_result_without_calling_gumloop():
    with server() as srv:
        first = srv.call(START, start_args(idempotency_key="order-42"))
        assert not first.get("isError"), first
        run_id = structured(first)["run_id"]
        again = srv.call(START, start_args(idempotency_key="order-42"))
        assert again == first, (again, first)
        assert len(starts()) == 1
        # same arguments in another order, force makes no difference
        again = srv.call(START, {"inputs": {"target_url":
                                            "https://example.com/pricing"},
                                 "idempotency_key": "order-42",
                                 "saved_item_id": FLOW, "force": True})
        assert structured(again)["run_id"] == run_id
        assert len(starts()) == 1
        # a new key is a new operation
        other = srv.call(START, start_args(idempotency_key="order-43"))
        assert structured(other)["run_id"] != run_id
        assert len(starts()) == 2


def test_the_key_and_force_are_never_sent_to_gumloop():
    with server() as srv:
        srv.call(START, start_args(idempotency_key="secret-ish-key-1",
                                   force=True))
        srv.call(KILL, {"run_id": "r1", "idempotency_key": "kill-key-1"})
        sent = starts() + kills()
        assert len(sent) == 2, sent
        for req in sent:
            text = json.dumps(req)
            assert "idempotency_key" not in text and "force" not in text, req
            assert "secret-ish-key-1" not in text and "kill-key-1" not in text


def sample(prop):
    """A value of the schema's type, good enough to reach Gumloop."""
    kind = prop.get("type")
    kind = kind[0] if isinstance(kind, list) else kind
    if "enum" in prop:
        return prop["enum"][0]
    return {"string": "probe", "integer": 1, "number": 1, "boolean": False,
            "object": {}, "array": []}.get(kind, "probe")


def test_no_write_tool_sends_the_key():
    key = "probe-key-7f3a9c"
    with server(extra_env={"GUMLOOP_TEAM_ID": "team-1"}) as srv:
        writes = [t for t in srv.list_tools()
                  if not hint(t, "readOnlyHint")]
        assert len(writes) > 5, writes
        for n, tool in enumerate(writes):
            props = tool["inputSchema"]["properties"]
            assert "idempotency_key" in props and "force" in props, tool
            args = {name: sample(props[name])
                    for name in tool["inputSchema"].get("required", [])}
            args["idempotency_key"] = "%s-%d" % (key, n)
            srv.call(tool["name"], args, timeout=60)
        sent = fake.requests()
        assert len(sent) > 5, sent
        for req in sent:
            assert key not in json.dumps(req), req
            assert "idempotency_key" not in json.dumps(req), req


def test_same_key_with_other_arguments_is_refused():
    with server() as srv:
        srv.call(START, start_args(idempotency_key="k-1"))
        res = srv.call(START, {"saved_item_id": FLOW, "idempotency_key": "k-1",
                               "inputs": {"target_url": "https://other.test"}})
        assert res["isError"], res
        text = text_of(res)
        assert "idempotency_key 'k-1'" in text and "different" in text, text
        assert structured(res)["error"]["message"] == text
        # and on another tool
        res = srv.call(KILL, {"run_id": "r1", "idempotency_key": "k-1"})
        assert res["isError"] and "idempotency_key" in text_of(res)
        assert len(starts()) == 1 and kills() == []


def test_key_after_a_definite_error_is_sent_again():
    with server() as srv:
        fake.fault(path="/api/v1/start_pipeline", status=429,
                   headers={"Retry-After": "1"},
                   body='{"error":"rate limited"}')
        res = srv.call(START, start_args(idempotency_key="k-429"))
        assert res["isError"] and structured(res)["error"]["status"] == 429
        res = srv.call(START, start_args(idempotency_key="k-429"))
        assert not res.get("isError"), res
        assert len(starts()) == 2
        # now it is remembered
        again = srv.call(START, start_args(idempotency_key="k-429"))
        assert again == res and len(starts()) == 2


def test_identical_keyless_write_is_not_sent_twice():
    with server() as srv:
        first = srv.call(START, start_args())
        run_id = structured(first)["run_id"]
        again = srv.call(START, start_args())
        assert len(starts()) == 1
        text = text_of(again)
        assert "not sent again" in text and "force: true" in text, text
        assert "succeeded" in text, text
        # the earlier outcome is shown
        assert structured(again)["run_id"] == run_id
        assert run_id in text
        assert again["content"][1:] == first["content"]
        forced = srv.call(START, start_args(force=True))
        assert not forced.get("isError")
        assert structured(forced)["run_id"] != run_id
        assert len(starts()) == 2


def test_the_window_is_ten_seconds():
    with server() as srv:
        srv.call(START, start_args())
        time.sleep(10.3)
        res = srv.call(START, start_args())
        assert "not sent again" not in text_of(res), text_of(res)
        assert len(starts()) == 2


def test_other_arguments_or_tools_are_not_repeats():
    with server() as srv:
        first, second = new_run(srv), new_run(srv)
        for run_id in (first, second):
            res = srv.call(KILL, {"run_id": run_id})
            assert not res.get("isError"), res
        srv.call(START, start_args(inputs={"target_url": "https://b.test"}))
        assert len(kills()) == 2 and len(starts()) == 3


def test_a_definite_http_error_lets_the_repeat_through():
    with server() as srv:
        fake.fault(path="/api/v1/kill_pipeline", status=409,
                   body='{"error":"busy"}')
        res = srv.call(KILL, {"run_id": "r1"})
        assert structured(res)["error"]["status"] == 409
        res = srv.call(KILL, {"run_id": "r1"})
        assert "not sent again" not in text_of(res)
        assert len(kills()) == 2


def test_unknown_outcome_blocks_the_repeat_until_forced():
    with server(extra_env={"GUMLOOP_MCP_TIMEOUT": "1"}) as srv:
        fake.fault(path="/api/v1/kill_pipeline", delay_ms=2500)
        res = srv.call(KILL, {"run_id": "r1"})
        assert structured(res)["error"]["code"] == "timeout", res
        again = srv.call(KILL, {"run_id": "r1"})
        text = text_of(again)
        assert again["isError"], again
        assert "not sent again" in text and "may have happened" in text, text
        assert "timeout" in text and "force: true" in text, text
        assert len(kills()) == 1
        forced = srv.call(KILL, {"run_id": "r1", "force": True})
        assert "not sent again" not in text_of(forced)
        assert len(kills()) == 2


def test_a_connection_never_made_is_not_an_unknown_outcome():
    # port 9 (discard) on loopback: nothing listens, the connection is refused
    with Server() as srv:
        srv.initialize()
        res = srv.call(KILL, {"run_id": "r1"})
        assert structured(res)["error"]["code"] == "connection_failed", res
        res = srv.call(KILL, {"run_id": "r1"})
        assert "not sent again" not in text_of(res), text_of(res)
        assert structured(res)["error"]["code"] == "connection_failed"


def test_reads_are_never_held_back():
    with server() as srv:
        srv.call("list_all_gumloop_flows")
        srv.call("list_all_gumloop_flows")
        assert len(fake.requests(path_prefix="/list_saved_items")) == 2


def test_bad_keys_are_refused_before_anything_is_sent():
    with server() as srv:
        for key in ("", "x" * 129):
            res = srv.call(KILL, {"run_id": "r1", "idempotency_key": key})
            assert res["isError"] and "idempotency_key" in text_of(res)
        res = srv.call(KILL, {"run_id": "r1", "idempotency_key": 7})
        assert res["isError"]
        assert kills() == []


def test_audit_records_replays_and_held_back_repeats():
    tmp = tempfile.mkdtemp(prefix="t-idem.")
    try:
        path = os.path.join(tmp, "audit.log")
        with server(args=["--audit-log", path]) as srv:
            first, second = new_run(srv), new_run(srv)
            srv.call(KILL, {"run_id": first, "idempotency_key": "a"})
            srv.call(KILL, {"run_id": first, "idempotency_key": "a"})
            srv.call(KILL, {"run_id": second})
            srv.call(KILL, {"run_id": second})
        with open(path) as f:
            entries = [json.loads(line) for line in f][2:]
        got = [(e["outcome"], e["status"]) for e in entries]
        assert got == [("ok", 200), ("ok", None), ("ok", 200),
                       ("refused", None)], got
    finally:
        shutil.rmtree(tmp)


if __name__ == "__main__":
    harness.main(globals())
