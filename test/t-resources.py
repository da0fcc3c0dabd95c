#!/usr/bin/env python3
"""MCP resources, prompts and completions through the real binary, in both
protocol eras, against the fake Gumloop."""
import base64
import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
import harness  # noqa: E402
from fake import SharedFake  # noqa: E402
from mcp import Server, structured  # noqa: E402

fake = SharedFake(run_ms=200, queue_ms=20)
MODERN = "2026-07-28"


def server(args=(), initialize=True, **kw):
    fake.reset()
    srv = Server(fake=fake, args=args, **kw)
    if initialize:
        srv.initialize()
    return srv


def modern(srv, method, params=None):
    """A stateless 2026-07-28 request."""
    params = dict(params or {})
    params["_meta"] = {
        "io.modelcontextprotocol/protocolVersion": MODERN,
        "io.modelcontextprotocol/clientCapabilities": {}}
    return srv.request(method, params)


def result(resp):
    assert "result" in resp, resp
    return resp["result"]


def read(srv, uri):
    return result(srv.request("resources/read", {"uri": uri}))["contents"]


def test_capabilities_declared_in_both_eras():
    with server(initialize=False) as srv:
        caps = srv.initialize()["capabilities"]
        assert caps["resources"] == {"subscribe": False, "listChanged": False}
        assert caps["prompts"] == {"listChanged": False}
        assert caps["completions"] == {}
        disc = result(modern(srv, "server/discover"))
        assert set(disc["capabilities"]) >= {"resources", "prompts",
                                             "completions", "tools"}


def test_resources_listed_from_the_flow_list():
    with server() as srv:
        res = result(srv.request("resources/list"))
        uris = [r["uri"] for r in res["resources"]]
        assert uris == ["gumloop://flows",
                        "gumloop://flows/flow_competitor_pricing/inputs",
                        "gumloop://flows/flow_weekly_reporting/inputs",
                        "gumloop://flows/flow_broken_import/inputs",
                        "gumloop://flows/flow_lead_webhook/inputs"], uris
        assert "nextCursor" not in res
        assert res["resources"][1]["title"] == \
            "Inputs of Competitor Pricing Scraper"
        assert all(r["mimeType"] == "application/json"
                   for r in res["resources"])
        assert len(fake.requests(path_prefix="/api/v1/list_saved_items")) == 1


def test_resource_list_pages_with_cursors():
    with server() as srv:
        fake.config(extra_flows=60)
        seen, cursor, pages = [], None, 0
        while True:
            params = {"cursor": cursor} if cursor else {}
            res = result(srv.request("resources/list", params))
            seen += [r["uri"] for r in res["resources"]]
            pages += 1
            cursor = res.get("nextCursor")
            if not cursor:
                break
        assert pages == 2 and len(seen) == 65 and len(set(seen)) == 65
        assert "gumloop://flows/flow_extra_060/inputs" in seen
        for bad in ["bogus", "resources:999", "tools:1", 7]:
            resp = srv.request("resources/list", {"cursor": bad})
            assert resp["error"]["code"] == -32602, (bad, resp)


def test_templates_follow_the_exposed_tools():
    with server() as srv:
        res = result(srv.request("resources/templates/list"))
        got = {t["uriTemplate"] for t in res["resourceTemplates"]}
        assert got == {"gumloop://flows/{saved_item_id}/inputs",
                       "gumloop://runs/{run_id}",
                       "gumloop://sessions/{session_id}",
                       "gumloop://artifacts/{artifact_id}"}, got
    with server(args=["--deny-tools", "get_single_gumloop_flow_run_by_id"]) \
            as srv:
        res = result(srv.request("resources/templates/list"))
        got = {t["uriTemplate"] for t in res["resourceTemplates"]}
        assert "gumloop://runs/{run_id}" not in got
        assert "gumloop://flows/{saved_item_id}/inputs" in got


def test_read_flows_and_inputs_in_the_legacy_era():
    with server() as srv:
        contents = read(srv, "gumloop://flows")
        assert contents[0]["uri"] == "gumloop://flows"
        assert contents[0]["mimeType"] == "application/json"
        flows = json.loads(contents[0]["text"])["saved_items"]
        assert len(flows) == 4
        inputs = json.loads(read(
            srv, "gumloop://flows/flow_weekly_reporting/inputs")[0]["text"])
        assert [i["name"] for i in inputs["inputs"]] == ["date_range",
                                                         "target_email"]
        q = fake.requests(path_prefix="/api/v1/get_inputs")[0]["query"]
        assert q["saved_item_id"] == "flow_weekly_reporting"
        assert q["user_id"] == "user-123"


def test_read_a_run_in_the_modern_era_with_cache_hints():
    with server(initialize=False) as srv:
        started = modern(srv, "tools/call", {
            "name": "create_a_gumloop_flow_run",
            "arguments": {"saved_item_id": "flow_competitor_pricing",
                          "inputs": {"target_url": "https://x.test"}}})
        run_id = structured(result(started))["run_id"]
        res = result(modern(srv, "resources/read",
                            {"uri": "gumloop://runs/" + run_id}))
        run = json.loads(res["contents"][0]["text"])
        assert run["run_id"] == run_id and run["state"] in (
            "QUEUED", "RUNNING", "DONE")
        assert res["ttlMs"] == 0 and res["cacheScope"] == "private"
        assert res["resultType"] == "complete"
        listed = result(modern(srv, "resources/list"))
        assert listed["ttlMs"] == 60000 and listed["cacheScope"] == "private"
        templates = result(modern(srv, "resources/templates/list"))
        assert templates["ttlMs"] >= 0 and templates["cacheScope"]
        prompts = result(modern(srv, "prompts/list"))
        assert prompts["ttlMs"] >= 0 and prompts["cacheScope"]


def test_read_an_artifact_as_bytes():
    with server() as srv:
        text = read(srv, "gumloop://artifacts/art_report")[0]
        assert text["uri"] == "gumloop://artifacts/art_report"
        assert text["text"].startswith("# Weekly research report")
        assert text["mimeType"].startswith("text/markdown")
        blob = read(srv, "gumloop://artifacts/art_chart")[0]
        assert blob["mimeType"] == "image/png"
        assert base64.b64decode(blob["blob"])[:4] == b"\x89PNG"


def test_unknown_resources_per_era():
    with server() as srv:
        for uri in ["gumloop://nope", "gumloop://runs/", "gumloop://runs/a/b",
                    "https://example.com", "gumloop://runs/run_missing",
                    "gumloop://runs/%00"]:
            resp = srv.request("resources/read", {"uri": uri})
            assert resp["error"]["code"] == -32002, (uri, resp)
            assert resp["error"]["data"]["uri"] == uri
        resp = modern(srv, "resources/read", {"uri": "gumloop://nope"})
        assert resp["error"]["code"] == -32602, resp
        resp = modern(srv, "resources/read",
                      {"uri": "gumloop://runs/run_missing"})
        assert resp["error"]["code"] == -32602, resp
        resp = srv.request("resources/read", {})
        assert resp["error"]["code"] == -32602


def test_hidden_tools_hide_their_resources():
    with server(args=["--tags", "artifacts"]) as srv:
        res = result(srv.request("resources/list"))
        assert res["resources"] == []
        resp = srv.request("resources/read", {"uri": "gumloop://flows"})
        assert resp["error"]["code"] == -32002
        assert "not available" in resp["error"]["message"]
        assert not fake.requests(path_prefix="/api/v1/list_saved_items")
        prompts = result(srv.request("prompts/list"))["prompts"]
        assert "run_gumloop_flow" not in [p["name"] for p in prompts]


def test_reads_go_through_the_tool_and_its_audit_line():
    log = os.path.join(tempfile.mkdtemp(prefix="res-audit."), "audit.log")
    with server(args=["--audit-log", log]) as srv:
        read(srv, "gumloop://flows/flow_broken_import/inputs")
    with open(log) as f:
        lines = [json.loads(line) for line in f]
    assert [e["tool"] for e in lines] == \
        ["get_single_gumloop_automation_by_id"], lines
    assert lines[0]["outcome"] == "ok"


def test_prompts_listed_and_fetched():
    with server() as srv:
        prompts = {p["name"]: p for p in
                   result(srv.request("prompts/list"))["prompts"]}
        assert set(prompts) == {"run_gumloop_flow", "ask_gumloop_agent"}
        args = prompts["run_gumloop_flow"]["arguments"]
        assert args[0] == {"name": "flow_name", "required": True,
                           "description": args[0]["description"]}
        got = result(srv.request("prompts/get", {
            "name": "run_gumloop_flow",
            "arguments": {"flow_name": "Weekly Reporting",
                          "inputs": "last week, to ana@example.com"}}))
        msg = got["messages"][0]
        assert msg["role"] == "user" and msg["content"]["type"] == "text"
        text = msg["content"]["text"]
        order = [text.index(t) for t in (
            "list_all_gumloop_flows", "get_single_gumloop_automation_by_id",
            "create_a_gumloop_flow_run", "wait_for_gumloop_flow_run")]
        assert order == sorted(order), text
        assert '"Weekly Reporting"' in text and "ana@example.com" in text
        for params in [{"name": "no_such_prompt"},
                       {"name": "run_gumloop_flow"},
                       {"name": "run_gumloop_flow", "arguments": {}},
                       {"name": "run_gumloop_flow",
                        "arguments": {"flow_name": 3}},
                       {"name": "run_gumloop_flow",
                        "arguments": {"flow_name": "x", "extra": "y"}}]:
            resp = srv.request("prompts/get", params)
            assert resp["error"]["code"] == -32602, (params, resp)
        assert "flow_name" in srv.request("prompts/get", {
            "name": "run_gumloop_flow"})["error"]["message"]
        got = result(modern(srv, "prompts/get", {
            "name": "run_gumloop_flow", "arguments": {"flow_name": "X"}}))
        assert got["resultType"] == "complete"


def test_completions_offer_flow_names_and_ids():
    with server() as srv:
        def complete(ref, name, value):
            return result(srv.request("completion/complete", {
                "ref": ref, "argument": {"name": name, "value": value}}))[
                    "completion"]
        prompt = {"type": "ref/prompt", "name": "run_gumloop_flow"}
        c = complete(prompt, "flow_name", "week")
        assert c["values"] == ["Weekly Reporting"] and c["total"] == 1
        assert c["hasMore"] is False
        c = complete(prompt, "flow_name", "R")
        assert set(c["values"]) == {"Competitor Pricing Scraper",
                                    "Weekly Reporting", "Broken Import"}
        fake.config(extra_flows=150)
        c = complete(prompt, "flow_name", "extra")
        assert len(c["values"]) == 100 and c["total"] == 150
        assert c["hasMore"] is True
        template = {"type": "ref/resource",
                    "uri": "gumloop://flows/{saved_item_id}/inputs"}
        c = complete(template, "saved_item_id", "flow_c")
        assert c["values"] == ["flow_competitor_pricing"]
        assert complete(prompt, "inputs", "x")["values"] == []
        for params in [
                {"ref": {"type": "ref/prompt", "name": "nope"},
                 "argument": {"name": "flow_name", "value": ""}},
                {"ref": {"type": "ref/resource", "uri": "gumloop://nope/{x}"},
                 "argument": {"name": "x", "value": ""}},
                {"ref": prompt, "argument": {"name": "nope", "value": ""}},
                {"ref": prompt}]:
            resp = srv.request("completion/complete", params)
            assert resp["error"]["code"] == -32602, (params, resp)


def test_completion_prefers_names_that_start_with_the_text():
    with server() as srv:
        res = result(srv.request("completion/complete", {
            "ref": {"type": "ref/prompt", "name": "run_gumloop_flow"},
            "argument": {"name": "flow_name", "value": "bro"}}))
        assert res["completion"]["values"] == ["Broken Import"]
        res = result(srv.request("completion/complete", {
            "ref": {"type": "ref/prompt", "name": "run_gumloop_flow"},
            "argument": {"name": "flow_name", "value": "port"}}))
        # "Weekly Reporting" contains it; "Broken Import" contains it too
        assert res["completion"]["values"] == ["Weekly Reporting",
                                               "Broken Import"]
        res = result(srv.request("completion/complete", {
            "ref": {"type": "ref/prompt", "name": "run_gumloop_flow"},
            "argument": {"name": "flow_name", "value": "w"}}))
        assert res["completion"]["values"][0] == "Weekly Reporting"


def test_session_resource_and_the_agent_prompt():
    with server() as srv:
        created = srv.call("create_a_gumloop_session", {
            "agent_id": "agent_sales_ops", "input": "export the leads"})
        sid = structured(created)["session_id"]
        res = json.loads(read(srv, "gumloop://sessions/" + sid)[0]["text"])
        assert res["session_id"] == sid and res["state"]
        got = srv.request("prompts/get", {
            "name": "ask_gumloop_agent",
            "arguments": {"agent_name": "Sales Ops Agent",
                          "question": "How many leads came in today?"}})
        text = result(got)["messages"][0]["content"]["text"]
        order = [text.index(t) for t in (
            "list_all_gumloop_agents", "create_a_gumloop_session",
            "wait_for_gumloop_session")]
        assert order == sorted(order), text
        assert "How many leads came in today?" in text
        assert '"Sales Ops Agent"' in text
        resp = srv.request("prompts/get", {
            "name": "ask_gumloop_agent",
            "arguments": {"agent_name": "Sales Ops Agent"}})
        assert resp["error"]["code"] == -32602
        assert "question" in resp["error"]["message"]
        c = result(srv.request("completion/complete", {
            "ref": {"type": "ref/prompt", "name": "ask_gumloop_agent"},
            "argument": {"name": "agent_name", "value": "sales"}}))
        assert c["completion"]["values"] == ["Sales Ops Agent"]
        assert fake.requests(path_prefix="/api/v1/agents", method="GET")
    with server(args=["--deny-tools", "wait_for_gumloop_session"]) as srv:
        names = [p["name"] for p in
                 result(srv.request("prompts/list"))["prompts"]]
        assert names == ["run_gumloop_flow"]
        resp = srv.request("prompts/get", {
            "name": "ask_gumloop_agent",
            "arguments": {"agent_name": "x", "question": "y"}})
        assert resp["error"]["code"] == -32602
        # the session resource needs only its own tool
        res = result(srv.request("resources/templates/list"))
        assert "gumloop://sessions/{session_id}" in [
            t["uriTemplate"] for t in res["resourceTemplates"]]


def test_a_run_whose_answer_names_a_file_still_reads_as_json():
    body = '{"state":"DONE","file_name":"report.csv","outputs":{"a":1}}'
    with server() as srv:
        fake.fault(path="/api/v1/get_pl_run", method="GET", status=200,
                   body=body, times=-1)
        r = srv.request("resources/read", {"uri": "gumloop://runs/r1"})
        fake.clear_faults()
        contents = r["result"]["contents"]
        assert json.loads(contents[0]["text"]) == json.loads(body), contents


if __name__ == "__main__":
    harness.main(globals())
