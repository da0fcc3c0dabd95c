"""Helpers for tests that call tools through the real binary and check
every structuredContent against the tool's outputSchema.

    from tooltest import fresh_server, ok, error
    with fresh_server(fake) as srv:
        flows = ok(srv, "list_all_gumloop_flows")

Standard library only.
"""

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
