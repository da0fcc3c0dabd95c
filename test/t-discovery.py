#!/usr/bin/env python3
"""Discovery mode through the real binary: tools/list shows three tools;
search ranks the catalog, the schema tool describes one, call_gumloop_tool
gives exactly the result of a direct call; the filters hide a tool from all
three (the fake receives nothing) and the audit log names the tool called."""
import json
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
import harness  # noqa: E402
import schema  # noqa: E402
from fake import SharedFake  # noqa: E402
from mcp import Server, hint, structured, text_of  # noqa: E402

fake = SharedFake(run_ms=200, queue_ms=20)
THREE = ["search_gumloop_tools", "get_gumloop_tool_schema",
         "call_gumloop_tool"]
KILL = "kill_a_gumloop_flow_run"


def server(args=(), extra_env=None, discovery=True, version="2025-11-25"):
    fake.reset()
    args = (["--discovery"] if discovery else []) + list(args)
    srv = Server(fake=fake, args=args, extra_env=extra_env)
    srv.initialize(version)
    return srv


def search(srv, query, limit=None):
    args = {"query": query}
    if limit is not None:
        args["limit"] = limit
    res = srv.call("search_gumloop_tools", args)
    assert not res.get("isError"), res
    return structured(res)["tools"]


def test_tools_list_shows_only_the_three():
    for args, env in ((["--discovery"], None),
                      ([], {"GUMLOOP_MCP_DISCOVERY": "1"})):
        fake.reset()
        with Server(fake=fake, args=args, extra_env=env) as srv:
            srv.initialize()
            tools = srv.list_tools()
            assert [t["name"] for t in tools] == THREE, tools
            for t in tools:
                assert t["inputSchema"]["type"] == "object"
                assert t["description"] and t["title"]


def test_search_ranks_names_and_descriptions():
    with server() as srv:
        hits = search(srv, "kill a flow run")
        assert hits[0]["name"] == KILL, hits
        assert set(hits[0]) == {"name", "title", "description", "class"}
        assert hits[0]["class"] == "write"
        assert search(srv, "list flows")[0]["name"] == "list_all_gumloop_flows"
        assert search(srv, "wait for a flow run")[0]["name"] == \
            "wait_for_gumloop_flow_run"
        # a word found only in a description counts too
        hits = search(srv, "input schema")
        assert "get_single_gumloop_automation_by_id" in \
            [h["name"] for h in hits[:3]], hits
        # plurals fold
        assert search(srv, "workbooks")[0]["name"] == \
            "list_all_gumloop_workbooks"
        assert search(srv, "zebra xylophone") == []


def test_search_limit_and_empty_query():
    with server() as srv:
        assert len(search(srv, "flow", limit=2)) == 2
        everything = search(srv, "", limit=100)
        direct = None
        with server(discovery=False) as plain:
            direct = [t["name"] for t in plain.list_tools()]
        assert [h["name"] for h in everything] == direct[:100]
        for bad in (0, 101):
            res = srv.call("search_gumloop_tools", {"query": "x",
                                                    "limit": bad})
            assert res["isError"] and "limit" in text_of(res)


def test_results_validate_against_their_output_schemas():
    with server() as srv:
        tools = {t["name"]: t for t in srv.list_tools()}
        res = srv.call("search_gumloop_tools", {"query": "flow"})
        schema.check(tools["search_gumloop_tools"]["outputSchema"],
                     structured(res))
        res = srv.call("get_gumloop_tool_schema", {"name": KILL})
        schema.check(tools["get_gumloop_tool_schema"]["outputSchema"],
                     structured(res))


def test_schema_is_the_one_tools_list_would_show():
    with server(discovery=False) as plain:
        listed = {t["name"]: t for t in plain.list_tools()}
    with server() as srv:
        for name in ("list_all_gumloop_flows", "create_a_gumloop_flow_run"):
            got = structured(srv.call("get_gumloop_tool_schema",
                                      {"name": name}))
            assert got["name"] == name
            assert got["inputSchema"] == listed[name]["inputSchema"]
            assert got["outputSchema"] == listed[name].get("outputSchema")
        res = srv.call("get_gumloop_tool_schema", {"name": "no_such_tool"})
        assert res["isError"] and "search_gumloop_tools" in text_of(res)


def test_call_gives_exactly_the_direct_result():
    with server(discovery=False) as plain:
        direct = plain.call("list_all_gumloop_flows")
        direct_err = plain.call("get_single_gumloop_flow_run_by_id",
                                {"run_id": "nope"})
    with server() as srv:
        via = srv.call("call_gumloop_tool",
                       {"name": "list_all_gumloop_flows", "arguments": {}})
        assert via == direct
        via = srv.call("call_gumloop_tool", {"name": "list_all_gumloop_flows"})
        assert via == direct
        via = srv.call("call_gumloop_tool",
                       {"name": "get_single_gumloop_flow_run_by_id",
                        "arguments": {"run_id": "nope"}})
        assert via == direct_err
        # argument checks are the called tool's
        res = srv.call("call_gumloop_tool", {"name": KILL, "arguments":
                                             {"run_ide": "x"}})
        assert res["isError"] and "run_ide" in text_of(res)
        # and call_gumloop_tool's own
        res = srv.call("call_gumloop_tool", {"arguments": {}})
        assert res["isError"] and "'name'" in text_of(res)
        assert fake.requests(path_prefix="/kill_pipeline") == []


def test_filters_hide_a_tool_from_all_three():
    with server(["--deny-tools", KILL]) as srv:
        assert KILL not in [h["name"] for h in search(srv, "kill a flow run")]
        assert KILL not in [h["name"] for h in search(srv, "", limit=100)]
        res = srv.call("get_gumloop_tool_schema", {"name": KILL})
        assert res["isError"] and "--deny-tools" in text_of(res), res
        res = srv.call("call_gumloop_tool", {"name": KILL,
                                             "arguments": {"run_id": "r1"}})
        assert res["isError"] and "--deny-tools" in text_of(res), res
        assert fake.requests() == []
    with server(["--read-only"]) as srv:
        hits = search(srv, "", limit=100)
        assert hits and {h["class"] for h in hits} == {"read"}
        call_tool = [t for t in srv.list_tools()
                     if t["name"] == "call_gumloop_tool"][0]
        assert hint(call_tool, "readOnlyHint") is True
        assert hint(call_tool, "destructiveHint") is False
        res = srv.call("call_gumloop_tool",
                       {"name": "create_a_gumloop_flow_run",
                        "arguments": {"saved_item_id": "flow_x"}})
        assert res["isError"] and "--read-only" in text_of(res)
        assert fake.requests() == []


def test_hidden_or_unknown_name_is_a_protocol_error_before_2025_11_25():
    with server(["--tags", "agents"], version="2025-06-18") as srv:
        for name in ("list_all_gumloop_flows", "no_such_tool"):
            resp = srv.request("tools/call", {"name": "call_gumloop_tool",
                                              "arguments": {"name": name}})
            assert resp["error"]["code"] == -32602, resp
            assert name in resp["error"]["message"]
        assert fake.requests() == []


def test_discovery_tools_exist_only_in_discovery_mode():
    with server(discovery=False) as srv:
        resp = srv.request("tools/call", {"name": "search_gumloop_tools",
                                          "arguments": {"query": "flow"}})
        assert resp["error"]["code"] == -32602, resp


def test_expiry_applies_to_the_discovery_tools():
    with server(["--expires-at", "2020-01-01T00:00:00Z"]) as srv:
        assert [t["name"] for t in srv.list_tools()] == THREE
        for name, args in (("search_gumloop_tools", {"query": "flow"}),
                           ("call_gumloop_tool",
                            {"name": "list_all_gumloop_flows"})):
            res = srv.call(name, args)
            assert res["isError"] and "2020-01-01T00:00:00Z" in text_of(res)
        assert fake.requests() == []


def test_safe_writes_work_through_call_gumloop_tool():
    with server() as srv:
        args = {"saved_item_id": "flow_competitor_pricing",
                "inputs": {"target_url": "https://example.com"},
                "idempotency_key": "via-discovery"}
        first = srv.call("call_gumloop_tool", {"name": "create_a_gumloop_flow_run",
                                               "arguments": args})
        again = srv.call("call_gumloop_tool", {"name": "create_a_gumloop_flow_run",
                                               "arguments": args})
        assert again == first and not first.get("isError")
        assert len(fake.requests(path_prefix="/start_pipeline")) == 1


def test_audit_names_the_tool_called():
    tmp = tempfile.mkdtemp(prefix="t-discovery.")
    try:
        path = os.path.join(tmp, "audit.log")
        with server(["--audit-log", path, "--deny-tools", KILL]) as srv:
            srv.call("search_gumloop_tools", {"query": "flow"})
            srv.call("call_gumloop_tool", {"name": "list_all_gumloop_flows",
                                           "arguments": {"user_id": "user-123"}})
            srv.call("call_gumloop_tool", {"name": KILL,
                                           "arguments": {"run_id": "r1"}})
        with open(path) as f:
            entries = [json.loads(line) for line in f]
        got = [(e["tool"], e["class"], e["outcome"]) for e in entries]
        assert got == [("search_gumloop_tools", "read", "ok"),
                       ("list_all_gumloop_flows", "read", "ok"),
                       (KILL, "write", "refused")], got
        import hashlib
        assert entries[1]["args_sha256"] == hashlib.sha256(
            b'{"user_id":"user-123"}').hexdigest()
    finally:
        shutil.rmtree(tmp)


if __name__ == "__main__":
    harness.main(globals())
