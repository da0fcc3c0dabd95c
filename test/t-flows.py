#!/usr/bin/env python3
"""The flow tools through the real binary against the fake Gumloop."""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
import harness  # noqa: E402
from fake import SharedFake  # noqa: E402
from mcp import Server, structured, text_of  # noqa: E402

fake = SharedFake(run_ms=200, queue_ms=20)


def server(**kw):
    fake.reset()
    srv = Server(fake=fake, **kw)
    srv.initialize()
    return srv


def find_flow(srv, name):
    flows = structured(srv.call("list_all_gumloop_flows"))["saved_items"]
    return next(f for f in flows if f["name"] == name)


def test_scenario_competitor_pricing_end_to_end():
    with server() as srv:
        flow = find_flow(srv, "Competitor Pricing Scraper")
        schema = structured(srv.call("get_single_gumloop_automation_by_id",
                                     {"saved_item_id": flow["saved_item_id"]}))
        names = [i["name"] for i in schema["inputs"]]
        assert names == ["target_url"], names
        started = srv.call("create_a_gumloop_flow_run", {
            "saved_item_id": flow["saved_item_id"],
            "inputs": {"target_url": "https://example.com/pricing"}})
        assert not started.get("isError"), started
        run_id = structured(started)["run_id"]
        assert run_id
        starts = fake.requests(path_prefix="/api/v1/start_pipeline")
        assert len(starts) == 1
        body = starts[0]["body"]
        assert body["saved_item_id"] == flow["saved_item_id"]
        assert body["user_id"] == "user-123"
        assert body["pipeline_inputs"] == [
            {"input_name": "target_url", "value": "https://example.com/pricing"}]
        headers = starts[0]["headers"]
        assert headers["authorization"] == "Bearer test-key"
        assert headers["x-auth-key"] == "user-123"
        deadline = time.time() + 10
        while True:
            run = structured(srv.call("get_single_gumloop_flow_run_by_id",
                                      {"run_id": run_id}))
            if run["state"] == "DONE" or time.time() > deadline:
                break
            time.sleep(0.1)
        assert run["state"] == "DONE", run
        assert "example.com/pricing" in run["outputs"]["prices"]


def test_unknown_input_refused_before_anything_starts():
    with server() as srv:
        res = srv.call("create_a_gumloop_flow_run", {
            "saved_item_id": "flow_competitor_pricing",
            "inputs": {"url": "https://example.com"}})
        assert res.get("isError")
        text = text_of(res)
        assert "'url'" in text and "target_url (string)" in text, text
        assert not fake.requests(path_prefix="/api/v1/start_pipeline")


def test_input_schema_is_cached_between_starts():
    with server() as srv:
        for _ in range(2):
            # force: an identical start within 10 s is otherwise held back
            res = srv.call("create_a_gumloop_flow_run", {
                "saved_item_id": "flow_weekly_reporting", "force": True,
                "inputs": {"date_range": "last week", "target_email": "a@b.c"}})
            assert not res.get("isError"), res
        assert len(fake.requests(path_prefix="/api/v1/get_inputs")) == 1
        assert len(fake.requests(path_prefix="/api/v1/start_pipeline")) == 2


def test_workbooks_and_run_history():
    with server() as srv:
        wbs = structured(srv.call("list_all_gumloop_workbooks"))["workbooks"]
        assert wbs and wbs[0]["saved_items"]
        srv.call("create_a_gumloop_flow_run",
                 {"saved_item_id": "flow_competitor_pricing",
                  "inputs": {"target_url": "https://x.test"}})
        hist = structured(srv.call("list_all_gumloop_flow_runs",
                                   {"saved_item_id": "flow_competitor_pricing"}))
        assert len(hist["flow_competitor_pricing"]) == 1
        res = srv.call("list_all_gumloop_flow_runs", {})
        assert res.get("isError") and "saved_item_id|workbook_id" in text_of(res)


def test_kill_a_run():
    with server() as srv:
        run_id = structured(srv.call("create_a_gumloop_flow_run", {
            "saved_item_id": "flow_competitor_pricing",
            "inputs": {"target_url": "https://x.test"}}))["run_id"]
        killed = structured(srv.call("kill_a_gumloop_flow_run",
                                     {"run_id": run_id}))
        assert killed["success"] is True
        time.sleep(0.3)
        run = structured(srv.call("get_single_gumloop_flow_run_by_id",
                                  {"run_id": run_id}))
        assert run["state"] in ("TERMINATING", "TERMINATED")


def test_failed_run_reports_its_log():
    with server() as srv:
        run_id = structured(srv.call("create_a_gumloop_flow_run", {
            "saved_item_id": "flow_broken_import",
            "inputs": {"source_file": "x.csv"}}))["run_id"]
        time.sleep(0.4)
        run = structured(srv.call("get_single_gumloop_flow_run_by_id",
                                  {"run_id": run_id}))
        assert run["state"] == "FAILED"
        assert any("could not parse" in line for line in run["log"])


def test_hostile_ids_stay_inside_the_path_and_query():
    with server() as srv:
        for rid in ["../../admin", "a?b=c#d", "x y%2F\n", "..", "é/ü"]:
            res = srv.call("get_single_gumloop_flow_run_by_id", {"run_id": rid})
            assert res.get("isError") and "404" in text_of(res), res
        got = [r["query"].get("run_id") for r in
               fake.requests(path_prefix="/api/v1/get_pl_run")]
        assert got == ["../../admin", "a?b=c#d", "x y%2F\n", "..", "é/ü"], got
        paths = {r["path"] for r in fake.requests()}
        assert paths == {"/api/v1/get_pl_run"}, paths


def test_http_error_mapping_401_404_429_502_timeout():
    fake.reset()
    with Server(fake=fake, key="wrong-key") as srv:
        srv.initialize()
        res = srv.call("list_all_gumloop_flows")
        err = structured(res)["error"]
        assert res["isError"] and err["status"] == 401
        assert "GUMLOOP_API_KEY" in text_of(res)
        assert "wrong-key" not in text_of(res)
    with server(extra_env={"GUMLOOP_MCP_TIMEOUT": "1"}) as srv:
        res = srv.call("get_single_gumloop_flow_run_by_id", {"run_id": "nope"})
        assert structured(res)["error"]["status"] == 404
        fake.fault(path="/api/v1/kill_pipeline", status=429,
                   headers={"Retry-After": "7", "ratelimit-limit": "10",
                            "ratelimit-remaining": "0", "ratelimit-reset": "7"},
                   body='{"error":"rate limited"}')
        res = srv.call("kill_a_gumloop_flow_run", {"run_id": "r1"})
        err = structured(res)["error"]
        assert err["status"] == 429 and err["retry_after"] == 7
        assert err["ratelimit"] == {"limit": 10, "remaining": 0, "reset": 7}
        assert "not retried" in text_of(res)
        fake.fault(path="/api/v1/list_saved_items", status=502,
                   body="<html><body>Bad Gateway</body></html>",
                   content_type="text/html")
        res = srv.call("list_all_gumloop_flows")
        err = structured(res)["error"]
        assert err["status"] == 502 and err["code"] == "non_json_response"
        fake.fault(path="/api/v1/list_workbooks", delay_ms=2500)
        res = srv.call("list_all_gumloop_workbooks")
        err = structured(res)["error"]
        assert err["code"] == "timeout" and err["status"] is None, err
        # and the server is still alive
        assert srv.request("ping")["result"] == {}


def test_credentials_refused_over_plain_http_to_non_loopback():
    with Server(extra_env={"GUMLOOP_BASE_URL":
                           "http://gumloop.invalid/api/v1"}) as srv:
        srv.initialize()
        res = srv.call("list_all_gumloop_flows")
        assert res["isError"] and "--insecure-http" in text_of(res)
        assert structured(res)["error"]["code"] == "refused"


def test_missing_key_is_explained_not_fatal():
    with Server(key=None) as srv:
        srv.initialize()
        assert len(srv.list_tools()) >= 7
        res = srv.call("list_all_gumloop_flows")
        assert res["isError"] and "GUMLOOP_API_KEY" in text_of(res)
        assert srv.close() == 0


if __name__ == "__main__":
    harness.main(globals())
