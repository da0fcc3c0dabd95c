"""Helpers for tests that call tools through the real binary and check
every structuredContent against the tool's outputSchema.

    from tooltest import fresh_server, ok, error
    with fresh_server(fake) as srv:
        flows = ok(srv, "list_all_gumloop_flows")

Standard library only.
"""
import time

from mcp import Server, structured, text_of
from schema import check

FAST_POLL_ENV = {"GUMLOOP_MCP_POLL_MS": "50", "GUMLOOP_TEAM_ID": "team_growth"}
_schemas = {}


def fresh_server(fake, extra_env=None, **kw):
    """The fake reset, then an initialized server that polls every 50 ms."""
    fake.reset()
    env = dict(FAST_POLL_ENV)
    env.update(extra_env or {})
    srv = Server(fake=fake, extra_env=env, **kw)
    srv.initialize()
    return srv


def call(srv, name, args=None, **kw):
    """tools/call; its structuredContent must fit the tool's outputSchema."""
    if not _schemas:
        for t in srv.list_tools():
            _schemas[t["name"]] = t.get("outputSchema")
    res = srv.call(name, args or {}, **kw)
    if _schemas.get(name) and "structuredContent" in res:
        check(_schemas[name], res["structuredContent"])
    return res


def ok(srv, name, args=None):
    """The structuredContent of a call that must succeed."""
    res = call(srv, name, args)
    assert not res.get("isError"), text_of(res)
    return structured(res)


def error(srv, name, args, status, code=None):
    """The result of a call that must fail with this HTTP status (and code)."""
    res = call(srv, name, args)
    assert res.get("isError"), res
    err = structured(res)["error"]
    assert err.get("status") == status, err
    if code:
        assert err.get("code") == code, err
    return res


def send_call(srv, id, name, arguments, token=None):
    """Sends a tools/call without reading its answer (progress token
    optional): for calls that run side by side."""
    params = {"name": name, "arguments": arguments}
    if token is not None:
        params["_meta"] = {"progressToken": token}
    srv.send({"jsonrpc": "2.0", "id": id, "method": "tools/call",
              "params": params})


def collect(srv, ids, timeout=30):
    """Reads until every id in ids is answered (a batch's array counts
    for each of its answers): (answers by id, the order they came in, the
    notifications)."""
    answers, order, notes = {}, [], []
    deadline = time.time() + timeout
    while set(answers) != set(ids):
        msg = srv.recv(max(0.1, deadline - time.time()))
        for m in msg if isinstance(msg, list) else [msg]:
            if "id" in m and "method" not in m:
                answers[m["id"]] = m
                order.append(m["id"])
            else:
                notes.append(m)
    return answers, order, notes
