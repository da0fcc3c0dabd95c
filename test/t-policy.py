#!/usr/bin/env python3
"""Access control through the real binary: --methods, --read-only, --tags,
--tools, --deny-tools (alone and combined), invalid filter values, and
--expires-at. A hidden tool is absent from tools/list, a direct call is
refused with -32602 naming the filter, and the fake receives nothing."""
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
import harness  # noqa: E402
from fake import SharedFake  # noqa: E402
from mcp import (BINARY, Server, base_env, hint, structured,  # noqa: E402
                 text_of)

fake = SharedFake(run_ms=200, queue_ms=20)

READ_FLOW = "list_all_gumloop_flows"
READ_RUN = "get_single_gumloop_flow_run_by_id"
WRITE_START = "create_a_gumloop_flow_run"
WRITE_KILL = "kill_a_gumloop_flow_run"


def server(args=(), extra_env=None):
    fake.reset()
    srv = Server(fake=fake, args=list(args), extra_env=extra_env)
    srv.initialize()
    return srv


def names(srv):
    return {t["name"] for t in srv.list_tools()}


def classes(srv):
    """name -> read/write from the annotations tools/list shows."""
    return {t["name"]: "read" if hint(t, "readOnlyHint") else "write"
            for t in srv.list_tools()}


def assert_refused(srv, tool, flag, arguments=None):
    resp = srv.request("tools/call", {"name": tool,
                                      "arguments": arguments or {}})
    assert "error" in resp, resp
    assert resp["error"]["code"] == -32602, resp
    msg = resp["error"]["message"]
    assert tool in msg and flag in msg, msg
    assert fake.requests() == [], fake.requests()


def start_fails(args=(), extra_env=None):
    """Runs the binary expecting a start-up error; returns its stderr."""
    env = base_env(fake, extra=extra_env)
    proc = subprocess.run([BINARY] + list(args), env=env, input=b"",
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          timeout=20)
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    assert proc.stdout == b"", proc.stdout
    return proc.stderr.decode()


def test_no_filter_lists_and_calls_everything():
    with server() as srv:
        listed = names(srv)
        for tool in (READ_FLOW, READ_RUN, WRITE_START, WRITE_KILL):
            assert tool in listed, listed
        res = srv.call(READ_FLOW)
        assert not res.get("isError"), res


def test_read_only_hides_and_refuses_writes():
    for args, env in (([], {"GUMLOOP_MCP_READ_ONLY": "1"}),
                      (["--read-only"], None)):
        with server(args, env) as srv:
            cls = classes(srv)
            assert cls and set(cls.values()) == {"read"}, cls
            assert READ_FLOW in cls and WRITE_START not in cls
            assert_refused(srv, WRITE_START, "--read-only",
                           {"saved_item_id": "flow_competitor_pricing"})
            assert_refused(srv, WRITE_KILL, "--read-only", {"run_id": "r1"})
            assert not srv.call(READ_FLOW).get("isError")


def test_methods_filter_by_class():
    with server(["--methods", "write"]) as srv:
        cls = classes(srv)
        assert set(cls.values()) == {"write"}, cls
        assert WRITE_KILL in cls
        assert_refused(srv, READ_FLOW, "--methods")
    with server([], {"GUMLOOP_MCP_METHODS": "custom"}) as srv:
        listed = names(srv)
        assert READ_FLOW not in listed and WRITE_START not in listed
        assert_refused(srv, READ_RUN, "--methods", {"run_id": "r1"})
        assert_refused(srv, WRITE_KILL, "--methods", {"run_id": "r1"})
    with server(["--methods", "read, write"]) as srv:
        listed = names(srv)
        assert READ_FLOW in listed and WRITE_START in listed


def test_tags_filter():
    with server(["--tags", "flows"]) as srv:
        assert READ_FLOW in names(srv)
    with server(["--tags", "agents,admin"]) as srv:
        assert READ_FLOW not in names(srv)
        assert_refused(srv, READ_FLOW, "--tags")
    with server([], {"GUMLOOP_MCP_TAGS": "skills"}) as srv:
        assert_refused(srv, WRITE_KILL, "--tags", {"run_id": "r1"})


def test_tools_allow_list():
    with server(["--tools", "%s,%s" % (READ_FLOW, WRITE_KILL)]) as srv:
        assert names(srv) == {READ_FLOW, WRITE_KILL}
        assert_refused(srv, READ_RUN, "--tools", {"run_id": "r1"})
        assert_refused(srv, WRITE_START, "--tools",
                       {"saved_item_id": "flow_competitor_pricing"})
        assert not srv.call(READ_FLOW).get("isError")


def test_deny_list():
    with server([], {"GUMLOOP_MCP_DENY_TOOLS": WRITE_KILL}) as srv:
        listed = names(srv)
        assert WRITE_KILL not in listed and WRITE_START in listed
        assert_refused(srv, WRITE_KILL, "--deny-tools", {"run_id": "r1"})


def test_filters_combine_with_and():
    # allowed by --tools, but --read-only hides the write among them
    with server(["--tools", "%s,%s,%s" % (READ_FLOW, READ_RUN, WRITE_KILL),
                 "--read-only", "--deny-tools", READ_RUN]) as srv:
        assert names(srv) == {READ_FLOW}
        assert_refused(srv, WRITE_KILL, "--read-only", {"run_id": "r1"})
        assert_refused(srv, READ_RUN, "--deny-tools", {"run_id": "r1"})
    # --read-only and --methods write leave nothing: both apply
    with server(["--methods", "write", "--read-only"]) as srv:
        assert names(srv) == set()
        assert_refused(srv, READ_FLOW, "--methods")
        assert_refused(srv, WRITE_KILL, "--read-only", {"run_id": "r1"})
    # tags and an allow list: only what both let through
    with server(["--tags", "agents", "--tools", READ_FLOW]) as srv:
        assert READ_FLOW not in names(srv)
        assert_refused(srv, READ_FLOW, "--tags")


def test_flags_win_over_environment():
    with server(["--methods", "read,write"],
                {"GUMLOOP_MCP_METHODS": "custom"}) as srv:
        assert WRITE_START in names(srv)


def test_unknown_values_are_startup_errors_listing_valid_ones():
    err = start_fails(["--tools", "list_all_gumloop_flow"])
    assert "unknown tool 'list_all_gumloop_flow'" in err, err
    assert "--tools" in err and "did you mean '%s'?" % READ_FLOW in err, err
    assert WRITE_KILL not in err, "every tool named: %s" % err
    err = start_fails([], {"GUMLOOP_MCP_DENY_TOOLS": "%s,kill_it" % READ_FLOW})
    assert "'kill_it'" in err and "--list-tools" in err, err
    err = start_fails(["--tags", "flows,flow"])
    assert "unknown tag 'flow'" in err, err
    for tag in ("flows", "files", "agents", "evaluations", "brain"):
        assert tag in err, err
    err = start_fails(["--methods", "read,delete"])
    assert "'delete'" in err and "read, write, custom" in err, err
    err = start_fails([], {"GUMLOOP_MCP_METHODS": "READ"})
    assert "GUMLOOP_MCP_METHODS" in err and "'READ'" in err, err


def test_empty_lists_are_startup_errors():
    for args, env, name in ((["--tools", ""], None, "--tools"),
                            (["--tags", ","], None, "--tags"),
                            (["--deny-tools="], None, "--deny-tools"),
                            (["--methods", ""], None, "--methods"),
                            ([], {"GUMLOOP_MCP_TOOLS": ""},
                             "GUMLOOP_MCP_TOOLS"),
                            ([], {"GUMLOOP_MCP_TAGS": " "},
                             "GUMLOOP_MCP_TAGS"),
                            ([], {"GUMLOOP_MCP_METHODS": ""},
                             "GUMLOOP_MCP_METHODS")):
        err = start_fails(args, env)
        assert "empty" in err and name in err, (args, env, err)


def test_bad_iso8601_is_a_startup_error():
    for value in ("tomorrow", "2026-13-01", "2026-02-30T00:00:00Z",
                  "2026-01-01T25:00:00Z", "2026-01-01T10:00:00",
                  "2026-01-01T10:00:00+0200", "26-01-01", "2026-1-1",
                  "2026-01-01T10:00:00Zjunk", ""):
        err = start_fails(["--expires-at", value])
        assert "--expires-at" in err and "ISO 8601" in err, (value, err)
    err = start_fails([], {"GUMLOOP_MCP_EXPIRES_AT": "next week"})
    assert "GUMLOOP_MCP_EXPIRES_AT" in err, err


def test_expired_server_lists_tools_but_refuses_every_call():
    with server(["--expires-at", "2020-01-01T00:00:00Z"]) as srv:
        listed = names(srv)
        assert READ_FLOW in listed and WRITE_START in listed
        for tool, args in ((READ_FLOW, {}), (WRITE_KILL, {"run_id": "r1"})):
            res = srv.call(tool, args)
            assert res["isError"], res
            text = text_of(res)
            assert "expired" in text and "2020-01-01T00:00:00Z" in text, text
            assert "expired" in structured(res)["error"]["message"]
        assert fake.requests() == []
        assert srv.request("ping")["result"] == {}
        assert "expire" in srv.stderr(), srv.stderr()
    # an offset is honoured and the UTC time is named too
    with server([], {"GUMLOOP_MCP_EXPIRES_AT": "2020-06-01T12:00:00+02:00"}) \
            as srv:
        text = text_of(srv.call(READ_FLOW))
        assert "2020-06-01T12:00:00+02:00" in text, text
        assert "2020-06-01T10:00:00Z" in text, text
        assert fake.requests() == []


def test_expiry_in_the_future_allows_calls():
    for value in ("2999-12-31", "2999-12-31T23:59:59.5Z", "2999-01-01T00:00Z"):
        with server(["--expires-at", value]) as srv:
            res = srv.call(READ_FLOW)
            assert not res.get("isError"), (value, res)


def test_hidden_by_filter_wins_over_expiry():
    with server(["--read-only", "--expires-at", "2020-01-01"]) as srv:
        assert_refused(srv, WRITE_KILL, "--read-only", {"run_id": "r1"})


def test_list_tools_mode_applies_the_filters():
    env = base_env(fake)
    out = subprocess.run([BINARY, "--list-tools", "--json", "--read-only"],
                         env=env, stdout=subprocess.PIPE, timeout=20)
    assert out.returncode == 0
    import json
    tools = json.loads(out.stdout)
    assert tools and {t["class"] for t in tools} == {"read"}, tools


if __name__ == "__main__":
    harness.main(globals())
