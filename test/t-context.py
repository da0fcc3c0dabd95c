#!/usr/bin/env python3
"""Context cost (issue 8): every tools/list byte lands in the model's
context. Budgets for the compact result (JSON with no spaces, UTF-8, as the
server writes it): the full catalog at most 64 KiB (96 tools), discovery mode at most
3 KiB. A size check, not a timing: it fails the day a tool or a longer text
crosses the line. The sizes are printed as TAP comments, per tag too."""

import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
import harness  # noqa: E402
from mcp import Server  # noqa: E402

CATALOG_BUDGET = 64 * 1024
DISCOVERY_BUDGET = 3 * 1024
TAGS = ("flows", "agents", "sessions", "skills", "artifacts", "files", "mcp",
        "models", "brain", "browser", "admin", "evaluations")
MODERN = {"io.modelcontextprotocol/protocolVersion": "2026-07-28",
          "io.modelcontextprotocol/clientCapabilities": {},
          "io.modelcontextprotocol/clientInfo": {"name": "t", "version": "0"}}


def size(obj):
    return len(json.dumps(obj, separators=(",", ":"),
                          ensure_ascii=False).encode())


def listed(args=(), version="2025-06-18"):
    """The tools/list result (one page) for a client of version."""
    with Server(args=args) as srv:
        if version == "2026-07-28":
            return srv.request("tools/list", {"_meta": MODERN})["result"]
        srv.initialize(version)
        return srv.request("tools/list")["result"]


def test_full_catalog_fits_64_kib():
    with Server() as srv:
        srv.initialize("2025-06-18")
        count = len(srv.list_tools())
    # 2025-03-26 and older also get annotations.title: the largest listing
    for version in ("2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25",
                    "2026-07-28"):
        result = listed(version=version)
        assert "nextCursor" not in result, "the catalog fits one page"
        assert len(result["tools"]) == count, (version, len(result["tools"]))
        n = size({"tools": result["tools"]})
        print("# %s: %d tools, %d bytes (budget %d)" % (
            version, count, n, CATALOG_BUDGET))
        assert n <= CATALOG_BUDGET, "%s: tools/list is %d bytes" % (version, n)


def test_every_tag_is_smaller_than_the_whole():
    whole = size(listed()["tools"])
    total = 0
    for tag in TAGS:
        tools = listed(["--tags", tag])["tools"]
        assert tools, tag
        n = size(tools)
        total += n
        print("# --tags %s: %d tools, %d bytes" % (tag, len(tools), n))
        assert n < whole, tag
    assert total >= whole - len(TAGS) * 2, (total, whole)


def test_discovery_fits_3_kib():
    result = listed(["--discovery"])
    n = size({"tools": result["tools"]})
    print("# --discovery: %d tools, %d bytes (budget %d)" % (
        len(result["tools"]), n, DISCOVERY_BUDGET))
    assert [t["name"] for t in result["tools"]] == [
        "search_gumloop_tools", "get_gumloop_tool_schema",
        "call_gumloop_tool"], result
    assert n <= DISCOVERY_BUDGET, "--discovery tools/list is %d bytes" % n


def test_every_listed_schema_stays_whole():
    """Short is not empty: every tool keeps an object inputSchema that
    refuses unknown arguments and, but for one, an outputSchema."""
    tools = listed()["tools"]
    names = {t["name"] for t in tools}
    without_output = [t["name"] for t in tools if "outputSchema" not in t]
    assert without_output == ["list_all_gumloop_flow_runs"], without_output
    for t in tools:
        s = t["inputSchema"]
        assert s["type"] == "object" and s["additionalProperties"] is False, t
        for name in s.get("required", []):
            # an X_id without a description comes from list_all_gumloop_Xs
            # (the instructions say so once): that tool must exist
            implied = name.endswith("_id") and \
                "list_all_gumloop_%ss" % name[:-3] in names
            assert s["properties"][name].get("description") or implied, \
                (t["name"], name)
        assert len(t["description"]) >= 20, t["name"]


if __name__ == "__main__":
    harness.main(globals())
