#!/usr/bin/env python3
"""The JSON-RPC envelope and MCP lifecycle through the real binary: every
error case of the core, both protocol eras, pagination."""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
import harness  # noqa: E402
from mcp import Server, hint  # noqa: E402

MODERN = {"io.modelcontextprotocol/protocolVersion": "2026-07-28",
          "io.modelcontextprotocol/clientCapabilities": {},
          "io.modelcontextprotocol/clientInfo": {"name": "t", "version": "0"}}


def raw_exchange(lines, expect, args=()):
    """Sends raw lines, returns the expected number of parsed replies."""
    with Server(args=args) as srv:
        for line in lines:
            srv.send_raw(line + "\n")
        replies = [srv.recv() for _ in range(expect)]
        assert srv.quiet(), "unexpected extra output"
        assert srv.request("ping")["result"] == {}
        return replies


def test_parse_error_has_null_id():
    r, = raw_exchange(["this is not json"], 1)
    assert r == {"jsonrpc": "2.0", "id": None,
                 "error": {"code": -32700, "message": r["error"]["message"]}}


def test_trailing_garbage_is_a_parse_error():
    r, = raw_exchange(['{"jsonrpc":"2.0","id":1,"method":"ping"} x'], 1)
    assert r["error"]["code"] == -32700 and r["id"] is None


def test_not_a_request_is_invalid():
    replies = raw_exchange(['42', '"x"', '{"jsonrpc":"2.0","id":1}',
                            '{"jsonrpc":"1.0","id":2,"method":"ping"}',
                            '{"jsonrpc":"2.0","id":3,"method":7}'], 5)
    assert [r["error"]["code"] for r in replies] == [-32600] * 5
    assert [r["id"] for r in replies] == [None, None, 1, 2, 3]


def test_bad_ids_rejected_good_ids_echoed_exactly():
    bad = ['{"jsonrpc":"2.0","id":null,"method":"ping"}',
           '{"jsonrpc":"2.0","id":true,"method":"ping"}',
           '{"jsonrpc":"2.0","id":{},"method":"ping"}',
           '{"jsonrpc":"2.0","id":1.5,"method":"ping"}']
    replies = raw_exchange(bad, 4)
    assert all(r["error"]["code"] == -32600 and r["id"] is None
               for r in replies)
    good = ['0', '""', '-7', '"1"', '1', '9007199254740993', '"\\u00e9t\\u00e9"']
    with Server() as srv:
        for g in good:
            srv.send_raw('{"jsonrpc":"2.0","id":%s,"method":"ping"}\n' % g)
        for g in good:
            line = srv.read_line().decode()
            assert line == '{"jsonrpc":"2.0","id":%s,"result":{}}' % g or \
                json.loads(line)["id"] == json.loads(g), line


def test_unknown_method_and_notifications():
    with Server() as srv:
        srv.initialize()
        r = srv.request("no/such/method")
        assert r["error"]["code"] == -32601
        r = srv.request("Tools/List")
        assert r["error"]["code"] == -32601
        srv.notify("no/such/notification")
        srv.notify("notifications/cancelled", {"requestId": 99})
        assert srv.quiet(), "a notification was answered"


def test_params_must_be_an_object():
    with Server() as srv:
        srv.initialize()
        for params in ([], "x", None):
            srv.send({"jsonrpc": "2.0", "id": 5, "method": "tools/list",
                      "params": params})
            assert srv.recv_response(5)["error"]["code"] == -32602


def test_request_before_initialize_is_explained():
    with Server() as srv:
        assert srv.request("ping")["result"] == {}
        r = srv.request("tools/list")
        assert r["error"]["code"] == -32600
        assert "initialize" in r["error"]["message"]


def test_version_negotiation():
    for asked, got in [("2024-11-05", "2024-11-05"), ("2025-03-26", "2025-03-26"),
                       ("2025-06-18", "2025-06-18"), ("2025-11-25", "2025-11-25"),
                       ("1999-01-01", "2025-11-25"), ("2026-07-28", "2025-11-25")]:
        with Server() as srv:
            res = srv.initialize(asked)
            assert res["protocolVersion"] == got, (asked, res)
            assert res["serverInfo"]["name"] == "gumloop-mcp"
            assert "list_all_gumloop_flows" in res["instructions"]
            assert "tools" in res["capabilities"]


def test_second_initialize_refused():
    with Server() as srv:
        srv.initialize()
        r = srv.request("initialize", {"protocolVersion": "2025-11-25",
                                       "capabilities": {},
                                       "clientInfo": {"name": "x", "version": "1"}})
        assert r["error"]["code"] == -32600


def test_logging_set_level():
    with Server() as srv:
        srv.initialize()
        assert srv.request("logging/setLevel", {"level": "debug"})["result"] == {}
        assert srv.request("logging/setLevel",
                           {"level": "loud"})["error"]["code"] == -32602


def test_batches_only_in_2025_03_26():
    batch = ('[{"jsonrpc":"2.0","id":1,"method":"ping"},'
             '{"jsonrpc":"2.0","method":"notifications/x"},'
             '{"jsonrpc":"2.0","id":2,"method":"nope"}]')
    with Server() as srv:
        srv.initialize("2025-03-26")
        srv.send_raw(batch + "\n")
        arr = srv.recv()
        assert isinstance(arr, list) and [m["id"] for m in arr] == [1, 2]
        assert arr[1]["error"]["code"] == -32601
        srv.send_raw("[]\n")
        assert srv.recv()["error"]["code"] == -32600
    with Server() as srv:
        srv.initialize("2025-06-18")
        srv.send_raw(batch + "\n")
        r = srv.recv()
        assert r["error"]["code"] == -32600 and r["id"] is None


def test_tools_list_pages_and_bad_cursor():
    with Server() as srv:
        srv.initialize()
        tools = srv.list_tools()
        names = [t["name"] for t in tools]
        assert len(names) == len(set(names))
        assert "create_a_gumloop_flow_run" in names
        run = next(t for t in tools if t["name"] == "create_a_gumloop_flow_run")
        assert hint(run, "readOnlyHint") is False
        assert "idempotency_key" in run["inputSchema"]["properties"]
        assert run["inputSchema"]["required"] == ["saved_item_id"]
        r = srv.request("tools/list", {"cursor": "bogus"})
        assert r["error"]["code"] == -32602


def test_annotations_send_only_hints_off_the_defaults():
    with Server() as srv:
        srv.initialize("2025-06-18")
        tools = {t["name"]: t for t in srv.list_tools()}
    assert tools["list_all_gumloop_flows"]["annotations"] == {
        "readOnlyHint": True}
    assert tools["create_a_gumloop_flow_run"]["annotations"] == {
        "destructiveHint": False}
    assert tools["update_a_gumloop_agent_by_id"]["annotations"] == {
        "destructiveHint": False, "idempotentHint": True}
    assert tools["kill_a_gumloop_flow_run"]["annotations"] == {
        "idempotentHint": True}


def test_the_title_is_in_the_annotations_before_2025_06_18():
    """Top-level title came with 2025-06-18; older clients read it from
    the annotations. Each tool has its title once, where its client looks."""
    with Server() as srv:
        srv.initialize("2025-11-25")
        titles = {t["name"]: t["title"] for t in srv.list_tools()}
    for version, old in (("2024-11-05", True), ("2025-03-26", True),
                         ("2025-06-18", False), ("2025-11-25", False)):
        with Server() as srv:
            srv.initialize(version)
            first = srv.list_tools()
            again = srv.list_tools()
        assert first == again, version
        for t in first:
            got = t.get("annotations", {}).get("title")
            if old:
                assert got == titles[t["name"]] and "title" not in t, \
                    (version, t)
            else:
                assert got is None and t["title"] == titles[t["name"]], \
                    (version, t)


def test_unknown_tool_is_a_protocol_error():
    with Server() as srv:
        srv.initialize()
        r = srv.request("tools/call", {"name": "nope", "arguments": {}})
        assert r["error"]["code"] == -32602 and "nope" in r["error"]["message"]
        r = srv.request("tools/call", {"arguments": {}})
        assert r["error"]["code"] == -32602
        r = srv.request("tools/call", {"name": "list_all_gumloop_flows",
                                       "arguments": [1]})
        assert r["error"]["code"] == -32602


def test_argument_errors_by_version():
    bad = {"name": "get_single_gumloop_flow_run_by_id",
           "arguments": {"run_id": 5}}
    with Server() as srv:
        srv.initialize("2025-11-25")
        r = srv.request("tools/call", bad)
        assert r["result"]["isError"] is True
        assert "run_id" in r["result"]["content"][0]["text"]
        r = srv.request("tools/call", {"name": "get_single_gumloop_flow_run_by_id",
                                       "arguments": {"run_id": "x", "extra": 1}})
        assert r["result"]["isError"] and "unknown argument 'extra'" in \
            r["result"]["content"][0]["text"]
    with Server() as srv:
        srv.initialize("2025-06-18")
        r = srv.request("tools/call", bad)
        assert r["error"]["code"] == -32602


def test_modern_era_discover_and_list():
    with Server() as srv:
        r = srv.request("server/discover", {"_meta": MODERN})["result"]
        assert r["resultType"] == "complete"
        assert "2026-07-28" in r["supportedVersions"]
        # only what a modern request may name: the legacy versions come
        # through initialize, and a modern request naming one gets -32022
        assert r["supportedVersions"] == ["2026-07-28"], r
        bad = dict(MODERN)
        bad["io.modelcontextprotocol/protocolVersion"] = "2025-11-25"
        e = srv.request("tools/list", {"_meta": bad})["error"]
        assert e["code"] == -32022 and \
            e["data"]["supported"] == r["supportedVersions"], e
        assert r["ttlMs"] >= 0 and r["cacheScope"] in ("public", "private")
        assert r["_meta"]["io.modelcontextprotocol/serverInfo"]["name"] == \
            "gumloop-mcp"
        r = srv.request("tools/list", {"_meta": MODERN})["result"]
        assert r["resultType"] == "complete" and r["tools"]
        assert "ttlMs" in r and "cacheScope" in r


def test_modern_era_errors():
    with Server() as srv:
        old = dict(MODERN)
        old["io.modelcontextprotocol/protocolVersion"] = "2030-01-01"
        r = srv.request("tools/list", {"_meta": old})
        assert r["error"]["code"] == -32022
        assert r["error"]["data"]["supported"] == ["2026-07-28"]
        nocaps = {"io.modelcontextprotocol/protocolVersion": "2026-07-28"}
        assert srv.request("tools/list", {"_meta": nocaps})["error"]["code"] \
            == -32602
        assert srv.request("ping", {"_meta": MODERN})["error"]["code"] == -32601
        assert srv.request("logging/setLevel", {"level": "debug",
                                                "_meta": MODERN})["error"][
            "code"] == -32601
        r = srv.request("tools/call", {"name": "get_single_gumloop_flow_run_by_id",
                                       "arguments": {}, "_meta": MODERN})
        assert r["result"]["isError"] and r["result"]["resultType"] == "complete"


def test_modern_request_after_legacy_initialize():
    with Server() as srv:
        srv.initialize("2025-06-18")
        r = srv.request("tools/list", {"_meta": MODERN})["result"]
        assert r["resultType"] == "complete"
        r = srv.request("tools/list")["result"]
        assert "resultType" not in r


def test_eof_exits_zero_after_answering_everything():
    with Server() as srv:
        srv.send_raw('{"jsonrpc":"2.0","id":1,"method":"ping"}\n'
                     '{"jsonrpc":"2.0","id":2,"method":"ping"}')
        srv.proc.stdin.close()
        assert srv.recv()["id"] == 1 and srv.recv()["id"] == 2
        assert srv.proc.wait(10) == 0
        srv.proc = None


def test_oversized_line_gets_one_error_and_is_not_split():
    big = '{"jsonrpc":"2.0","id":1,"method":"ping","params":{"x":"' + \
        "a" * (17 << 20) + '"}}'
    with Server() as srv:
        srv.send_raw(big + "\n")
        r = srv.recv(timeout=60)
        assert r["error"]["code"] == -32600 and r["id"] is None
        assert srv.request("ping")["result"] == {}
        assert srv.quiet()


def test_an_escaped_backslash_before_u0000_is_not_a_nul():
    """Text holding a backslash then "u0000" (JSON "\\\\u0000") is valid
    and answered, in a ping and in a tool's arguments; a real NUL escape
    is still refused."""
    with Server() as srv:
        srv.initialize()
        srv.send_raw('{"jsonrpc":"2.0","id":1,"method":"ping",'
                     '"params":{"path":"C:\\\\u0000"}}\n')
        assert srv.recv_response(1) == {"jsonrpc": "2.0", "id": 1,
                                        "result": {}}
        srv.send_raw('{"jsonrpc":"2.0","id":2,"method":"tools/call","params":'
                     '{"name":"get_single_gumloop_flow_run_by_id",'
                     '"arguments":{"run_id":"a\\\\u0000b"}}}\n')
        r = srv.recv_response(2)
        assert "result" in r, r     # a tool error at worst (no Gumloop here)
        srv.send_raw('{"jsonrpc":"2.0","id":3,"method":"ping",'
                     '"params":{"s":"\\\\\\u0000"}}\n')
        r = srv.recv_response(3)
        assert r["error"]["code"] == -32602, r


if __name__ == "__main__":
    harness.main(globals())
