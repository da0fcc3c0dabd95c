#!/usr/bin/env python3
"""Bounds through the real binary: an id or a URL too long for a request
fails the call before anything is sent (the fake records nothing) with an
error naming the argument, and the schemas say how long an id may be."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
import harness  # noqa: E402
from fake import SharedFake  # noqa: E402
from mcp import Server, structured, text_of  # noqa: E402

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


def test_ids_in_urls_have_a_max_length_in_their_schema():
    with server() as srv:
        tools = {t["name"]: t for t in srv.list_tools()}
        for name, arg in (("delete_a_gumloop_skill_by_id", "skill_id"),
                          ("get_single_gumloop_agent_by_id", "agent_id"),
                          ("get_single_gumloop_flow_run_by_id", "run_id")):
            prop = tools[name]["inputSchema"]["properties"][arg]
            assert prop.get("maxLength") == 256, (name, prop)
        bounded = [(t, p) for t in tools.values()
                   for p, v in t["inputSchema"]["properties"].items()
                   if p.endswith("_id") and "maxLength" in v]
        assert len(bounded) >= 40, len(bounded)
        # the check holds what the schema says, to the character
        res = srv.call("get_single_gumloop_flow_run_by_id",
                       {"run_id": "\u00e9" * 257})
        assert "at most 256 characters, not 257" in text_of(res), res
        assert fake.requests() == []


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        fields = dict(line.split(":", 1) for line in f if ":" in line)
    return int(fields["VmRSS"].split()[0])


def rss_is_meaningful(pid):
    """Under valgrind or AddressSanitizer RSS says little about the server."""
    if os.environ.get("VALGRIND") == "1":
        return False
    with open("/proc/%d/maps" % pid) as f:
        return "libasan" not in f.read()


def big_start(srv, n, keyed):
    args = {"saved_item_id": "flow_competitor_pricing",
            "inputs": {"target_url": "https://example.com/%d" % n}}
    if keyed:
        args["idempotency_key"] = "big-%d" % n
    res = srv.call("create_a_gumloop_flow_run", args, timeout=60)
    assert not res.get("isError"), text_of(res)[:300]
    return res


def test_memory_stays_bounded_after_many_large_writes():
    """Every write answered with 2 MiB: what is kept for replays is
    bounded in bytes, so 60 of them leave RSS where 10 left it (unbounded,
    each kept copy of each answer added 2 MiB or more)."""
    fake.reset()
    fake.fault(path="/api/v1/start_pipeline", status=200, times=-1,
               body={"run_id": "run_big", "pad": "x" * (2 << 20)})
    with Server(fake=fake) as srv:
        srv.initialize()
        if not rss_is_meaningful(srv.proc.pid):
            raise harness.Skip("RSS means little under valgrind or ASan")
        for n in range(10):
            big_start(srv, n, keyed=n % 2 == 0)
        before = rss_kib(srv.proc.pid)
        for n in range(10, 70):
            big_start(srv, n, keyed=n % 2 == 0)
        after = rss_kib(srv.proc.pid)
        print("# rss %d -> %d KiB" % (before, after))
        assert after - before < 32 * 1024, (before, after)
        # a replay of a result too large to keep gives its ids
        again = big_start(srv, 60, keyed=True)
        assert structured(again)["run_id"] == "run_big", again
        assert "too large to keep" in text_of(again), text_of(again)
        assert len(fake.requests(path_prefix="/start_pipeline")) == 70
        # a result of some tens of KiB is replayed whole
        fake.clear_faults()
        fake.fault(path="/api/v1/start_pipeline", status=200, times=1,
                   body={"run_id": "run_mid", "pad": "y" * (40 << 10)})
        first = big_start(srv, 100, keyed=True)
        assert structured(first)["pad"] == "y" * (40 << 10)
        assert big_start(srv, 100, keyed=True) == first


if __name__ == "__main__":
    harness.main(globals())
