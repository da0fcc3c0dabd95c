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
     {"profile_id": "default", "team_id": "",
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


if __name__ == "__main__":
    harness.main(globals())
