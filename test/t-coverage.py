#!/usr/bin/env python3
"""All of Gumloop's public API (issue 14): every tool added for the
operations the catalog lacked, called through the real binary against the
fake, with the method, path, query and body it sent checked; then the
scenarios that chain them (queue, Brain uploads, evaluations)."""
import base64
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
import harness  # noqa: E402
from fake import SharedFake  # noqa: E402
from mcp import structured, text_of  # noqa: E402
from tooltest import call, error, fresh_server, ok  # noqa: E402

fake = SharedFake(run_ms=200, queue_ms=20)
ENV = {"GUMLOOP_USER_ID": "user-123"}
SALES = "agent_sales_ops"


def server(**kw):
    env = dict(ENV)
    env.update(kw.pop("extra_env", {}))
    return fresh_server(fake, extra_env=env, **kw)


def sent(path, method):
    """The last request to exactly this path (below /api/v1)."""
    hits = [r for r in fake.requests(method=method)
            if r["path"] in ("/api/v1" + path, "/stream/api/v1" + path)]
    assert hits, "no %s %s in %s" % (method, path, [
        (r["method"], r["path"]) for r in fake.requests()][-5:])
    return hits[-1]


# (tool, arguments, method, path, query subset, body subset, result key)
TABLE = [
    ("list_all_gumloop_organizations", {}, "GET", "/organizations", {},
     None, "organizations"),
    ("list_all_gumloop_role_credit_limits",
     {"organization_id": "org_acme", "page_size": 1}, "GET",
     "/organizations/org_acme/roles/credit-limits",
     {"user_id": "user-123", "page_size": "1"}, None, "roles"),
    ("get_single_gumloop_role_credit_limit_by_id",
     {"organization_id": "org_acme", "role_id": "grp_analysts"}, "GET",
     "/organizations/org_acme/roles/grp_analysts/credit-limit",
     {"user_id": "user-123"}, None, "monthly_credit_limit"),
    ("update_a_gumloop_role_credit_limit_by_id",
     {"organization_id": "org_acme", "role_id": "grp_interns",
      "monthly_credit_limit": 250}, "PUT",
     "/organizations/org_acme/roles/grp_interns/credit-limit", {},
     {"monthly_credit_limit": 250, "user_id": "user-123"},
     "monthly_credit_limit"),
    ("create_a_gumloop_model_route",
     {"input": "summarize this contract", "models": ["gpt-4.1"],
      "team_id": "team_growth"}, "POST", "/models/route", {},
     {"input": "summarize this contract", "models": ["gpt-4.1"],
      "team_id": "team_growth"}, "route"),
    ("list_all_gumloop_brain_sources", {"scope": "personal"}, "GET",
     "/brain/sources", {"scope": "personal"}, None, "sources"),
    ("create_a_gumloop_brain_source",
     {"name": "Contracts", "require_approval": True}, "POST",
     "/brain/sources", {}, {"name": "Contracts", "require_approval": True},
     "source"),
    ("get_single_gumloop_brain_source_by_id", {"source_id": "src_handbook"},
     "GET", "/brain/sources/src_handbook", {}, None, "source"),
    ("list_all_gumloop_brain_source_files", {"source_id": "src_handbook"},
     "GET", "/brain/sources/src_handbook/files", {}, None, "files"),
    ("get_gumloop_brain_source_estimate", {"source_id": "src_handbook"},
     "GET", "/brain/sources/src_handbook/estimate", {}, None, "estimate"),
    ("delete_a_gumloop_brain_source_by_id", {"source_id": "src_notion"},
     "DELETE", "/brain/sources/src_notion", {}, None, "deleted"),
    ("list_all_gumloop_browser_profiles", {}, "GET", "/browser-profiles",
     {"team_id": "team_growth"}, None, "profiles"),
    ("create_gumloop_browser_profile_cookies",
     {"profile_id": "default",
      "cookies": [{"name": "sid", "value": "s3cr3t",
                   "domain": "example.com"}],
      "url": "https://example.com"}, "POST",
     "/browser-profiles/default/cookies", {},
     {"url": "https://example.com"}, "imported"),
    ("create_a_gumloop_agent_evaluation_run",
     {"agent_id": "agent_support", "session_ids": ["sess_a", "sess_x"],
      "dry_run": True}, "POST", "/agents/agent_support/evaluations/run",
     {"team_id": "team_growth"},
     {"session_ids": ["sess_a", "sess_x"], "dry_run": True}, "skipped"),
    ("list_all_gumloop_evaluation_options", {}, "GET",
     "/evaluation-options", {}, None, "grades"),
    ("list_all_gumloop_evaluations", {"organization_id": "org_acme"}, "GET",
     "/evaluations", {"organization_id": "org_acme"}, None, "evaluations"),
    ("create_a_gumloop_evaluation",
     {"organization_id": "org_acme", "name": "Tone",
      "config": {"tags": [{"name": "refund request"}]}}, "POST",
     "/evaluations", {},
     {"organization_id": "org_acme", "name": "Tone",
      "config": {"tags": [{"name": "refund request"}]}}, "evaluation"),
    ("get_single_gumloop_evaluation_by_id", {"evaluation_id": "oeval_1"},
     "GET", "/evaluations/oeval_1", {}, None, "evaluation"),
    ("update_a_gumloop_evaluation_by_id",
     {"evaluation_id": "oeval_1", "description": None}, "PATCH",
     "/evaluations/oeval_1", {}, {"description": None}, "evaluation"),
    ("update_gumloop_evaluation_targets",
     {"evaluation_id": "oeval_1",
      "targets": [{"type": "team", "id": "team_growth"}]}, "PUT",
     "/evaluations/oeval_1/targets", {},
     {"targets": [{"type": "team", "id": "team_growth"}]}, "evaluation"),
    ("create_a_gumloop_evaluation_run",
     {"evaluation_id": "oeval_1", "session_ids": ["sess_b"]}, "POST",
     "/evaluations/oeval_1/run", {}, {"session_ids": ["sess_b"]},
     "results"),
    ("list_all_gumloop_evaluation_results",
     {"evaluation_id": "oeval_1", "grade": "pass", "page_size": 5}, "GET",
     "/evaluations/oeval_1/results", {"grade": "pass", "page_size": "5"},
     None, "results"),
    ("get_single_gumloop_evaluation_result_by_id",
     {"evaluation_id": "oeval_1", "result_id": "ores_1"}, "GET",
     "/evaluations/oeval_1/results/ores_1", {}, None, "result"),
    ("get_gumloop_evaluation_metrics",
     {"evaluation_id": "oeval_1", "days": 7}, "GET",
     "/evaluations/oeval_1/metrics", {"days": "7"}, None, "grades"),
    ("delete_a_gumloop_evaluation_by_id", {"evaluation_id": "oeval_1"},
     "DELETE", "/evaluations/oeval_1", {}, None, "deleted"),
]


def test_every_new_tool_sends_what_gumloop_documents():
    with server() as srv:
        for name, args, method, path, query, body, key in TABLE:
            res = call(srv, name, args)
            assert not res.get("isError"), (name, text_of(res))
            assert key in structured(res), (name, structured(res))
            req = sent(path, method)
            for k, v in query.items():
                assert req["query"].get(k) == v, (name, req["query"])
            if body is None:
                assert req["body"] is None or method != "GET", name
                continue
            for k, v in body.items():
                assert req["body"].get(k) == v, (name, k, req["body"])
            if name == "create_gumloop_browser_profile_cookies":
                # cookies never go to GUMLOOP_TEAM_ID's profile unasked
                assert "team_id" not in req["body"], req["body"]
            # nothing local leaks into the body
            assert not {"idempotency_key", "force", "wait_seconds"} & \
                set(req["body"]), (name, req["body"])


def test_the_catalog_has_a_tool_for_every_operation():
    with server() as srv:
        names = {t["name"] for t in srv.list_tools()}
    wanted = {row[0] for row in TABLE} | {
        "update_a_gumloop_session_by_id", "create_a_gumloop_session_file",
        "resolve_gumloop_session_approvals",
        "list_all_gumloop_session_queue_items",
        "create_a_gumloop_session_queue_item",
        "update_a_gumloop_session_queue_item_by_id",
        "delete_a_gumloop_session_queue_item_by_id",
        "send_a_gumloop_session_queue_item",
        "create_gumloop_brain_source_files",
        "delete_a_gumloop_brain_source_file_by_id",
        "approve_a_gumloop_brain_source"}
    assert len(wanted) == 36, len(wanted)
    assert wanted <= names, wanted - names
    assert len(names) == 96, len(names)


def test_credit_spending_tools_say_so_and_are_write():
    with server() as srv:
        tools = {t["name"]: t for t in srv.list_tools()}
    for name in ("create_a_gumloop_model_route",
                 "create_a_gumloop_agent_evaluation_run",
                 "create_a_gumloop_evaluation_run",
                 "approve_a_gumloop_brain_source",
                 "create_gumloop_brain_source_files"):
        t = tools[name]
        assert "credit" in t["description"].lower(), name
        assert t["annotations"].get("readOnlyHint") is not True, name
    with server(args=["--read-only"]) as srv:
        names = {t["name"] for t in srv.list_tools()}
    assert "create_a_gumloop_model_route" not in names
    assert "list_all_gumloop_brain_sources" in names


def test_organization_tools_need_a_user_id():
    with server(extra_env={"GUMLOOP_USER_ID": ""}) as srv:
        before = len(fake.requests())
        res = call(srv, "list_all_gumloop_role_credit_limits",
                   {"organization_id": "org_acme"})
        assert res.get("isError"), res
        assert "GUMLOOP_USER_ID" in text_of(res)
        assert len(fake.requests()) == before
        # a user who is no admin: Gumloop's 403, explained
        error(srv, "list_all_gumloop_role_credit_limits",
              {"organization_id": "org_acme", "user_id": "user-999"}, 403)


def test_credit_limit_is_an_integer_or_null():
    with server() as srv:
        args = {"organization_id": "org_acme", "role_id": "grp_analysts"}
        st = ok(srv, "update_a_gumloop_role_credit_limit_by_id",
                dict(args, monthly_credit_limit=None))
        assert st["monthly_credit_limit"] is None
        assert sent("/organizations/org_acme/roles/grp_analysts/"
                    "credit-limit", "PUT")["body"]["monthly_credit_limit"] \
            is None
        before = len(fake.requests())
        res = srv.call("update_a_gumloop_role_credit_limit_by_id",
                       dict(args, monthly_credit_limit="lots"))
        assert res.get("isError") or "error" in res, res
        assert "integer or null" in str(res), res
        assert len(fake.requests()) == before


def test_session_queue_from_add_to_send():
    with server() as srv:
        sid = ok(srv, "create_a_gumloop_session",
                 {"agent_id": SALES, "input": "first task"})["session_id"]
        q = ok(srv, "create_a_gumloop_session_queue_item",
               {"session_id": sid, "input": "then this"})
        qid = q["queued_message"]["id"]
        assert sent("/sessions/%s/queue" % sid, "POST")["body"] == \
            {"input": "then this"}
        ok(srv, "update_a_gumloop_session_queue_item_by_id",
           {"session_id": sid, "queue_item_id": qid, "input": "then that"})
        assert sent("/sessions/%s/queue/%s" % (sid, qid), "PATCH")[
            "body"] == {"input": "then that"}
        items = ok(srv, "list_all_gumloop_session_queue_items",
                   {"session_id": sid})["queued_messages"]
        assert [i["input"] for i in items] == ["then that"], items
        st = ok(srv, "send_a_gumloop_session_queue_item",
                {"session_id": sid, "queue_item_id": qid,
                 "wait_seconds": 20})
        assert st["state"] == "completed", st
        assert "then that" in st["reply"], st
        q2 = ok(srv, "create_a_gumloop_session_queue_item",
                {"session_id": sid, "input": "never mind"})
        qid2 = q2["queued_message"]["id"]
        ok(srv, "delete_a_gumloop_session_queue_item_by_id",
           {"session_id": sid, "queue_item_id": qid2})
        sent("/sessions/%s/queue/%s" % (sid, qid2), "DELETE")
        error(srv, "send_a_gumloop_session_queue_item",
              {"session_id": sid, "queue_item_id": qid2}, 404)


def test_session_rename():
    with server() as srv:
        sid = ok(srv, "create_a_gumloop_session",
                 {"agent_id": SALES})["session_id"]
        st = ok(srv, "update_a_gumloop_session_by_id",
                {"session_id": sid, "name": "Q3 pipeline review"})
        assert st["session"]["name"] == "Q3 pipeline review", st
        assert sent("/sessions/%s" % sid, "PATCH")["body"] == \
            {"name": "Q3 pipeline review"}


def test_brain_upload_then_approve():
    with server() as srv:
        src = ok(srv, "create_a_gumloop_brain_source",
                 {"name": "Contracts", "require_approval": True})["source"]
        assert src["status"] == "draft"
        up = ok(srv, "create_gumloop_brain_source_files", {
            "source_id": src["id"],
            "files": [{"file_name": "nda.md", "content_text": "# NDA"},
                      {"file_name": "scan.png",
                       "content_base64": base64.b64encode(b"\x89PNG").decode()}
                      ]})
        assert [f["file_name"] for f in up["files"]] == ["nda.md"], up
        assert [r["file_name"] for r in up["rejected"]] == ["scan.png"], up
        req = sent("/brain/sources/%s/files" % src["id"], "POST")
        assert req["headers"]["content-type"].startswith(
            "multipart/form-data"), req["headers"]
        assert b"# NDA" in req["body_text"].encode(), req["body_text"]
        est = ok(srv, "get_gumloop_brain_source_estimate",
                 {"source_id": src["id"]})["estimate"]
        assert est["status"] == "paused_for_approval", est
        st = ok(srv, "approve_a_gumloop_brain_source",
                {"source_id": src["id"]})
        assert st["source"]["status"] == "active", st
        fid = up["files"][0]["id"]
        ok(srv, "delete_a_gumloop_brain_source_file_by_id",
           {"source_id": src["id"], "file_id": fid})
        sent("/brain/sources/%s/files/%s" % (src["id"], fid), "DELETE")
        # a file with neither content: refused before anything is sent
        before = len(fake.requests())
        res = call(srv, "create_gumloop_brain_source_files", {
            "source_id": src["id"], "files": [{"file_name": "x.md"}]})
        assert res.get("isError") and "content_text" in text_of(res), res
        assert len(fake.requests()) == before


# ---- the four that broke users -------------------------------------------

def start_asking(srv):
    """A session whose turn asks to send an email: approval_required."""
    return ok(srv, "create_a_gumloop_session", {
        "agent_id": SALES, "input": "email the CRM export to sales",
        "wait_seconds": 20})


def test_a_wait_ends_at_approval_required_and_says_what_is_asked():
    with server() as srv:
        st = start_asking(srv)
        assert st["state"] == "approval_required", st
        assert "timed_out" not in st, st
        (ask,) = st["pending_approvals"]
        assert ask["tool_name"] == "send_email", ask
        res = call(srv, "wait_for_gumloop_session",
                   {"session_id": st["session_id"], "timeout_seconds": 30})
        assert not res.get("isError"), text_of(res)
        assert structured(res)["state"] == "approval_required"
        text = res["content"][-1]["text"]
        assert ask["action_request_id"] in text, text
        assert "send_email" in text and "sales@example.com" in text, text
        assert "person" in text and "resolve_gumloop_session_approvals" \
            in text, text
        # at once: one poll, not a wait until the timeout
        assert res["content"][0]["type"] == "text"


def test_resolve_accept_lets_the_turn_finish():
    with server() as srv:
        st = start_asking(srv)
        sid = st["session_id"]
        aid = st["pending_approvals"][0]["action_request_id"]
        done = ok(srv, "resolve_gumloop_session_approvals", {
            "session_id": sid, "wait_seconds": 20,
            "approval_responses": [{"action_request_id": aid,
                                    "action": "accept"}]})
        assert done["state"] == "completed", done
        assert done["reply"].startswith("Sent the email"), done
        assert sent("/sessions/%s/approvals" % sid, "POST")["body"] == {
            "approval_responses": [{"action_request_id": aid,
                                    "action": "accept"}]}


def test_resolve_reject_with_a_reason():
    with server() as srv:
        st = start_asking(srv)
        sid = st["session_id"]
        aid = st["pending_approvals"][0]["action_request_id"]
        ok(srv, "resolve_gumloop_session_approvals", {
            "session_id": sid,
            "approval_responses": [{"action_request_id": aid,
                                    "action": "reject",
                                    "reason": "not this week"}]})
        done = ok(srv, "wait_for_gumloop_session", {"session_id": sid})
        assert done["state"] == "completed", done
        assert "not this week" in done["reply"], done
        # nothing pending any more: Gumloop's 409, explained
        error(srv, "resolve_gumloop_session_approvals", {
            "session_id": sid,
            "approval_responses": [{"action_request_id": aid,
                                    "action": "accept"}]}, 409)


def test_a_question_is_shown_and_answered_in_response_values():
    with server() as srv:
        st = ok(srv, "create_a_gumloop_session", {
            "agent_id": SALES, "input": "build the report; ask me the "
            "deadline", "wait_seconds": 20})
        assert st["state"] == "approval_required", st
        res = call(srv, "get_single_gumloop_session_by_id",
                   {"session_id": st["session_id"]})
        text = res["content"][-1]["text"]
        assert "human_input" in text and "When is the report due?" in \
            text and "response.values" in text, text
        aid = st["pending_approvals"][0]["action_request_id"]
        done = ok(srv, "resolve_gumloop_session_approvals", {
            "session_id": st["session_id"], "wait_seconds": 20,
            "approval_responses": [{
                "action_request_id": aid, "action": "accept",
                "response": {"values": {"deadline": "Friday"}}}]})
        assert done["reply"] == "Noted: the report is due Friday.", done


def test_read_only_hides_the_resolve_tool_and_sends_nothing():
    with server(args=["--read-only"]) as srv:
        names = {t["name"] for t in srv.list_tools()}
        assert "resolve_gumloop_session_approvals" not in names
        assert "wait_for_gumloop_session" in names
        resp = srv.request("tools/call", {
            "name": "resolve_gumloop_session_approvals",
            "arguments": {"session_id": "s", "approval_responses": [
                {"action_request_id": "a", "action": "accept"}]}})
        assert resp["error"]["code"] == -32602, resp
        assert not fake.requests(method="POST")


def test_webhook_flow_gets_the_whole_body():
    with server() as srv:
        lead = {"email": "ada@example.com", "score": 97,
                "tags": ["hot", "enterprise"]}
        st = ok(srv, "create_a_gumloop_flow_run", {
            "saved_item_id": "flow_lead_webhook", "body": lead,
            "wait_seconds": 20})
        assert st["state"] == "DONE", st
        req = sent("/start_pipeline", "POST")["body"]
        assert req == dict(lead, saved_item_id="flow_lead_webhook",
                           user_id="user-123"), req
        assert "pipeline_inputs" not in req
        import json
        assert json.loads(st["outputs"]["webhook_body"])["tags"] == \
            ["hot", "enterprise"], st


def test_webhook_body_refusals_send_nothing():
    with server() as srv:
        before = len(fake.requests())
        for args, words in [
                ({"body": {"a": 1}, "inputs": {"target_url": "x"}},
                 "not both"),
                ({"body": {"user_id": "someone-else"}}, "'user_id'"),
                ({"body": {"pipeline_inputs": []}}, "'pipeline_inputs'")]:
            res = call(srv, "create_a_gumloop_flow_run",
                       dict(args, saved_item_id="flow_lead_webhook"))
            assert res.get("isError") and words in text_of(res), (args, res)
        assert len(fake.requests()) == before


def test_empty_inputs_for_a_flow_with_inputs_is_refused_unless_forced():
    with server() as srv:
        res = call(srv, "create_a_gumloop_flow_run", {
            "saved_item_id": "flow_weekly_reporting", "inputs": {}})
        assert res.get("isError"), res
        assert "date_range" in text_of(res) and "target_email" in \
            text_of(res), text_of(res)
        assert not fake.requests(path_prefix="/start_pipeline")
        st = ok(srv, "create_a_gumloop_flow_run", {
            "saved_item_id": "flow_weekly_reporting", "inputs": {},
            "force": True})
        assert st["run_id"], st
        # a flow without inputs starts with {} as it is
        ok(srv, "create_a_gumloop_flow_run", {
            "saved_item_id": "flow_lead_webhook", "inputs": {}})


def test_a_stale_input_cache_looks_again_before_refusing():
    with server() as srv:
        ok(srv, "create_a_gumloop_flow_run", {
            "saved_item_id": "flow_competitor_pricing",
            "inputs": {"target_url": "https://example.com"}})
        fake.config(gained_input="currency")
        looks = len(fake.requests(path_prefix="/get_inputs"))
        st = ok(srv, "create_a_gumloop_flow_run", {
            "saved_item_id": "flow_competitor_pricing",
            "inputs": {"target_url": "https://example.com",
                       "currency": "EUR"}})
        assert st["run_id"], st
        assert len(fake.requests(path_prefix="/get_inputs")) == looks + 1
        # a name the flow really lacks is still refused, with the list
        res = call(srv, "create_a_gumloop_flow_run", {
            "saved_item_id": "flow_competitor_pricing",
            "inputs": {"colour": "red"}})
        assert res.get("isError") and "currency" in text_of(res), res


def test_upload_a_session_file_then_attach_it():
    with server() as srv:
        sid = ok(srv, "create_a_gumloop_session",
                 {"agent_id": SALES})["session_id"]
        up = ok(srv, "create_a_gumloop_session_file", {
            "session_id": sid, "file_name": "leads.csv",
            "content_text": "name,email\nAda,ada@example.com\n",
            "media_type": "text/csv"})
        req = sent("/sessions/%s/files" % sid, "POST")["body"]
        assert base64.b64decode(req["file_content"]).startswith(
            b"name,email"), req
        assert req["media_type"] == "text/csv" and \
            req["file_name"] == "leads.csv", req
        att = {"file_name": up["file_name"], "media_type": "text/csv"}
        st = ok(srv, "create_a_gumloop_session_message", {
            "session_id": sid, "input": "dedupe these leads",
            "attachments": [att], "wait_seconds": 20})
        assert st["state"] == "completed", st
        assert sent("/sessions/%s/messages" % sid, "POST")["body"][
            "attachments"] == [att]
        # a bare name is no attachment: refused before it is sent
        before = len(fake.requests())
        res = srv.call("create_a_gumloop_session_message", {
            "session_id": sid, "input": "again",
            "attachments": ["leads.csv"]})
        assert res.get("isError") or "error" in res, res
        assert len(fake.requests()) == before
        # a name not uploaded to this session: Gumloop's 400
        error(srv, "create_a_gumloop_session_message", {
            "session_id": sid, "input": "again",
            "attachments": [{"file_name": "other.csv"}]}, 400)


# ---- changes to the tools that were there --------------------------------

def test_changed_tools_send_what_gumloop_reads():
    with server() as srv:
        ok(srv, "create_a_gumloop_chat_completion", {
            "model": "gpt-4.1", "messages": [{"role": "user",
                                              "content": "hi"}],
            "tools": [{"type": "function", "function": {"name": "f"}}],
            "tool_choice": {"type": "function", "function": {"name": "f"}}})
        req = sent("/chat/completions", "POST")
        assert req["path"].startswith("/stream/"), req["path"]
        assert "team_id" not in req["query"], req["query"]
        assert req["body"]["tool_choice"]["function"] == {"name": "f"}
        res = srv.call("create_a_gumloop_chat_completion", {
            "model": "gpt-4.1", "messages": [{"role": "user",
                                              "content": "hi"}],
            "tool_choice": 3})
        assert "string or object" in str(res), res
        tools = {t["name"]: t for t in srv.list_tools()}
        upd = tools["update_a_gumloop_agent_by_id"]
        assert "folder_id" not in upd["inputSchema"]["properties"]
        assert "retires" in upd["description"], upd["description"]
        assert "for good" in upd["inputSchema"]["properties"]["is_active"][
            "description"]
        moved = ok(srv, "update_a_gumloop_agent_by_id", {
            "agent_id": SALES, "team_id": "team_ops"})
        assert moved["agent"]["team_id"] == "team_ops", moved
        req = sent("/agents/%s" % SALES, "PATCH")
        assert req["body"] == {"team_id": "team_ops"}, req
        assert "team_id" not in req["query"], req
        # is_active: false is no pause: the agent is gone for good
        ok(srv, "update_a_gumloop_agent_by_id", {
            "agent_id": "agent_research", "is_active": False})
        error(srv, "get_single_gumloop_agent_by_id",
              {"agent_id": "agent_research"}, 404)
        ok(srv, "list_all_gumloop_audit_logs", {
            "organization_id": "org_acme", "start_time": "2025-01-01T00:00:00Z",
            "end_time": "2025-02-01T00:00:00Z", "ip_addresses": "203.0.113.7",
            "workspace_ids": "ws_sales", "entity_ids": "agent_support"})
        q = sent("/get_audit_logs", "GET")["query"]
        assert q["ip_addresses"] == "203.0.113.7" and q["user_id"] == \
            "user-123" and q["workspace_ids"] == "ws_sales", q
        assert "date-time" in tools["create_a_gumloop_data_export"][
            "inputSchema"]["properties"]["start_date"]["description"]
        tags = tools["update_gumloop_agent_evaluation_config"][
            "inputSchema"]["properties"]["tags"]
        assert tags["items"]["type"] == "object", tags


if __name__ == "__main__":
    harness.main(globals())
