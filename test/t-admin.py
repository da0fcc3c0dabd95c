#!/usr/bin/env python3
"""Teams, models, chat, Brain, organization admin and evaluations through
the real binary against the fake Gumloop."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
import harness  # noqa: E402
from fake import SharedFake  # noqa: E402
from mcp import Server, structured, text_of  # noqa: E402

fake = SharedFake()
ORG = {"organization_id": "org_acme"}
PERIOD = {"start_time": "2025-01-01T00:00:00Z",
          "end_time": "2025-02-01T00:00:00Z"}


def server():
    fake.reset()
    srv = Server(fake=fake, extra_env={"GUMLOOP_TEAM_ID": "team-9"})
    srv.initialize()
    return srv


def ok(result):
    assert not result.get("isError"), result
    return structured(result)


def test_teams_and_models_carry_the_team():
    with server() as srv:
        teams = ok(srv.call("list_all_gumloop_teams"))["teams"]
        assert [t["id"] for t in teams] == ["team-9", "team-ops"]
        groups = ok(srv.call("list_all_gumloop_models"))["model_groups"]
        assert groups[0]["provider"] == "openai"
        reqs = fake.requests(path_prefix="/api/v1/teams") + \
            fake.requests(path_prefix="/api/v1/models")
        assert [r["query"].get("team_id") for r in reqs] == ["team-9"] * 2


def test_chat_completion_goes_to_the_stream_host():
    with server() as srv:
        out = ok(srv.call("create_a_gumloop_chat_completion", {
            "model": "gpt-4.1-mini", "temperature": 0.2,
            "messages": [{"role": "system", "content": "Be brief."},
                         {"role": "user", "content": "hello there"}]}))
        assert out["choices"][0]["message"]["content"] == \
            "You said: hello there"
        reqs = fake.requests()
        assert [r["path"] for r in reqs] == ["/stream/api/v1/chat/completions"]
        body = reqs[0]["body"]
        assert body["model"] == "gpt-4.1-mini" and body["temperature"] == 0.2
        assert len(body["messages"]) == 2 and "stream" not in body
        assert reqs[0]["headers"]["authorization"] == "Bearer test-key"
        res = srv.call("create_a_gumloop_chat_completion", {
            "model": "no-such-model",
            "messages": [{"role": "user", "content": "x"}]})
        assert res["isError"] and "model_not_found" in text_of(res)


def test_brain_search():
    with server() as srv:
        out = ok(srv.call("create_a_gumloop_brain_search", {
            "query": "refund", "source_type": ["notion"], "limit": 5}))
        assert [r["document_id"] for r in out["results"]] == ["doc_1"]
        body = fake.requests(path_prefix="/api/v1/brain/search")[0]["body"]
        assert body == {"query": "refund", "source_type": ["notion"],
                        "limit": 5}


def test_audit_logs_paged_for_an_admin():
    with server() as srv:
        out = ok(srv.call("list_all_gumloop_audit_logs",
                          dict(ORG, page=2, page_size=3, **PERIOD)))
        assert [e["event_id"] for e in out["audit_logs"]] == \
            ["evt_4", "evt_5", "evt_6"]
        assert out["total_pages"] == 3 and out["total_count"] == 7
        q = fake.requests(path_prefix="/api/v1/get_audit_logs")[0]["query"]
        assert q["user_id"] == "user-123" and q["page"] == "2"
        res = srv.call("list_all_gumloop_audit_logs",
                       dict(ORG, user_id="someone-else", **PERIOD))
        assert res["isError"] and structured(res)["error"]["status"] == 403
        res = srv.call("list_all_gumloop_audit_logs", ORG)
        assert res["isError"] and "start_time" in text_of(res)


def test_workspace_and_permission_group_members():
    with server() as srv:
        out = ok(srv.call("update_gumloop_workspace_users", dict(
            ORG, workspace_id="ws_sales", action="add",
            user_email="bo@example.com", is_admin=True)))
        assert out["success"] and "added to ws_sales" in out["message"]
        body = fake.requests(path_prefix="/api/v1/manage_workspace_users")[0]
        assert body["body"]["is_admin"] is True
        assert body["body"]["user_id"] == "user-123"
        out = ok(srv.call("update_gumloop_permission_group_users", dict(
            ORG, group_id="grp_analysts", action="add",
            user_email="bo@example.com")))
        assert out["success"]
        res = srv.call("update_gumloop_permission_group_users", dict(
            ORG, group_id="grp_analysts", action="remove",
            user_email="nobody@example.com"))
        assert res["isError"] and "not a member" in text_of(res)


def test_data_export_state_then_csv():
    with server() as srv:
        fake.config(export_ms=600000)
        out = ok(srv.call("create_a_gumloop_data_export", {
            "export_fields": ["run_id", "credits"], "data_type": "workflows",
            "start_date": "2025-01-01", "end_date": "2025-01-31"}))
        eid = out["data_export_id"]
        assert out["state"] == "REQUESTED"
        state = ok(srv.call("get_single_gumloop_data_export_by_id",
                            {"data_export_id": eid, "download": True}))
        assert state["state"] == "IN_PROGRESS"
        fake.config(export_ms=0)
        res = srv.call("get_single_gumloop_data_export_by_id",
                       {"data_export_id": eid, "download": True})
        meta = ok(res)
        csv = text_of(res)
        assert csv.splitlines() == ["run_id,credits", "run_id_1,credits_1",
                                    "run_id_2,credits_2"], csv
        assert meta == {"file_name": eid + ".csv", "media_type": "text/csv",
                        "size": len(csv.encode())}
        q = fake.requests(path_prefix="/api/v1/export_status")[-1]["query"]
        assert q["download"] == "true" and q["data_export_id"] == eid
        done = ok(srv.call("get_single_gumloop_data_export_by_id",
                           {"data_export_id": eid}))
        assert done["state"] == "COMPLETED" and done["finished_ts"]


def test_evaluations():
    with server() as srv:
        first = ok(srv.call("list_all_gumloop_agent_evaluations",
                            {"agent_id": "agent_support", "page_size": 2}))
        assert len(first["evaluations"]) == 2 and first["next_cursor"]
        rest = ok(srv.call("list_all_gumloop_agent_evaluations",
                           {"agent_id": "agent_support", "page_size": 2,
                            "cursor": first["next_cursor"]}))
        assert [e["evaluation_id"] for e in rest["evaluations"]] == ["eval_3"]
        assert rest["next_cursor"] is None
        graded = ok(srv.call("list_all_gumloop_agent_evaluations",
                             {"agent_id": "agent_support",
                              "grade": "needs_attention"}))
        assert [e["evaluation_id"] for e in graded["evaluations"]] == \
            ["eval_3"]
        one = ok(srv.call("get_single_gumloop_agent_evaluation_by_id",
                          {"agent_id": "agent_support",
                           "evaluation_id": "eval_2"}))
        assert one["evaluation"]["grade"] == "needs_review"
        metrics = ok(srv.call("get_gumloop_agent_evaluation_metrics",
                              {"agent_id": "agent_support", "days": 7}))
        assert metrics["grades"] == {"pass": 1, "needs_review": 1,
                                     "needs_attention": 1}
        assert metrics["tags"]["refunds"] == 2
        config = ok(srv.call("get_gumloop_agent_evaluation_config",
                             {"agent_id": "agent_support"}))["config"]
        assert [t["name"] for t in config["tags"]] == ["refunds"]
        tags = [{"name": "refunds", "description": "money back"},
                {"name": "pricing"}]
        new = ok(srv.call("update_gumloop_agent_evaluation_config", {
            "agent_id": "agent_support", "enabled": False,
            "tags": tags}))["config"]
        assert new["enabled"] is False and new["tags"] == tags
        patch = fake.requests(method="PATCH")[0]
        assert patch["path"] == "/api/v1/agents/agent_support/evaluation-config"
        assert patch["body"] == {"enabled": False, "tags": tags}
        # tags as bare strings: Gumloop's 400
        res = srv.call("update_gumloop_agent_evaluation_config", {
            "agent_id": "agent_support", "tags": ["refunds"]})
        assert res["isError"], res
        assert patch["query"]["team_id"] == "team-9"
        res = srv.call("get_gumloop_agent_evaluation_config",
                       {"agent_id": "agent_nobody"})
        assert res["isError"] and structured(res)["error"]["status"] == 404


def test_tags_select_the_admin_families():
    fake.reset()
    with Server(fake=fake, args=["--tags", "models,evaluations"]) as srv:
        srv.initialize()
        names = {t["name"] for t in srv.list_tools()}
        assert "create_a_gumloop_chat_completion" in names
        assert "get_gumloop_agent_evaluation_metrics" in names
        assert "list_all_gumloop_teams" not in names
        assert "create_a_gumloop_brain_search" not in names


if __name__ == "__main__":
    harness.main(globals())
