#!/usr/bin/env python3
"""Bounds through the real binary: an id or a URL too long for a request
fails the call before anything is sent (the fake records nothing) with an
error naming the argument, and the schemas say how long an id may be."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
import harness  # noqa: E402
from fake import SharedFake  # noqa: E402
from mcp import Server, text_of  # noqa: E402

fake = SharedFake(run_ms=200, queue_ms=20)
LONG = "a" * 70000


def server(args=()):
    fake.reset()
    srv = Server(fake=fake, args=list(args))
    srv.initialize()
    return srv


def refused_unsent(srv, name, arguments, argument):
    res = srv.call(name, arguments)
    assert res.get("isError"), res
    text = text_of(res)
    assert "invalid argument '%s'" % argument in text, text
    assert len(text) < 1000, len(text)     # the value is not echoed
    assert fake.requests() == [], fake.requests()


def test_an_over_long_id_sends_nothing():
    with server() as srv:
        for name, arg in (("delete_a_gumloop_skill_by_id", "skill_id"),
                          ("get_single_gumloop_agent_by_id", "agent_id"),
                          ("get_single_gumloop_flow_run_by_id", "run_id")):
            refused_unsent(srv, name, {arg: LONG}, arg)
        # the server goes on serving
        assert not srv.call("list_all_gumloop_flows").get("isError")


def test_an_id_of_the_longest_length_is_sent_whole():
    with server() as srv:
        res = srv.call("get_single_gumloop_flow_run_by_id", {"run_id": "r" *
                                                            256})
        assert res.get("isError"), res      # no such run: the fake says 404
        sent = fake.requests(path_prefix="/get_pl_run")
        assert len(sent) == 1 and sent[0]["query"]["run_id"] == "r" * 256, \
            sent


def test_a_url_over_the_limit_is_refused_not_cut():
    with server() as srv:
        refused_unsent(srv, "list_all_gumloop_agents", {"search": LONG},
                       "search")
        res = srv.call("list_all_gumloop_agents", {"search": "b" * 1000})
        assert not res.get("isError"), res
        assert len(fake.requests()) == 1


def test_a_discovery_call_is_bounded_too():
    with server(["--discovery"]) as srv:
        res = srv.call("call_gumloop_tool", {
            "name": "delete_a_gumloop_skill_by_id",
            "arguments": {"skill_id": LONG}})
        assert res.get("isError") and "skill_id" in text_of(res), res
        assert fake.requests() == []


def test_every_id_has_a_max_length_in_its_schema():
    with server() as srv:
        tools = srv.list_tools()
    seen = 0
    for tool in tools:
        for pname, prop in tool["inputSchema"]["properties"].items():
            if pname.endswith("_id") and prop.get("type") == "string":
                seen += 1
                assert prop.get("maxLength") == 256, (tool["name"], pname,
                                                      prop)
    assert seen > 50, seen


if __name__ == "__main__":
    harness.main(globals())
