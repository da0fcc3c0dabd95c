#!/usr/bin/env python3
"""Agents through the real binary: the start_agent conversation API
(interactions, continuation, 409, waits, every documented error) and the
agent resources (agents, skills, MCP servers, versions)."""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
import harness  # noqa: E402
from fake import SharedFake  # noqa: E402
import schema  # noqa: E402
from mcp import hint, structured, text_of  # noqa: E402
from tooltest import call, error, fresh_server, ok  # noqa: E402

GUMMIE = "gummie_research"
fake = SharedFake(run_ms=300, queue_ms=20)


def error_text(*args):
    return text_of(error(*args))


def server(**kw):
    return fresh_server(fake, **kw)


def start(srv, message, **extra):
    args = {"gummie_id": GUMMIE, "message": message}
    args.update(extra)
    return ok(srv, "create_a_gumloop_agent_interaction", args)


# ---- the start_agent conversation --------------------------------------

def test_conversation_with_early_continuation_refused_then_accepted():
    with server() as srv:
        fake.config(agent_ms=1500)   # room for the early continuation
        first = start(srv, "Summarize our Q3 churn drivers")
        iid = first["interaction_id"]
        assert first["status"] == "processing"
        text = error_text(srv, "create_a_gumloop_agent_interaction",
                     {"gummie_id": GUMMIE, "interaction_id": iid,
                      "message": "And Q4?"},
                     409, "interaction_not_in_terminal_state")
        assert "wait_for_gumloop_agent_interaction" in text, text
        assert "same interaction_id" in text, text
        done = ok(srv, "wait_for_gumloop_agent_interaction",
                  {"interaction_id": iid})
        assert done["state"] == "COMPLETED", done
        assert "Q3 churn" in done["response"]
        fake.config(agent_ms=300)
        again = start(srv, "And Q4?", interaction_id=iid)
        assert again["interaction_id"] == iid
        done = ok(srv, "wait_for_gumloop_agent_interaction",
                  {"interaction_id": iid})
        assert "(turn 2)" in done["response"] and "Q4" in done["response"]
        roles = [m["role"] for m in done["messages"]]
        assert roles == ["user", "assistant", "user", "assistant"], roles
        starts = fake.requests(path_prefix="/start_agent")
        assert len(starts) == 3
        assert starts[2]["body"]["interaction_id"] == iid
        assert starts[2]["body"]["user_id"] == "user-123"


def test_wait_seconds_on_start_returns_the_answer():
    with server() as srv:
        res = start(srv, "Draft a welcome email", wait_seconds=30)
        assert res["state"] == "COMPLETED" and res["interaction_id"]
        assert "welcome email" in res["response"]


def test_get_interaction_reads_the_state():
    with server() as srv:
        fake.config(agent_ms=60000)
        iid = start(srv, "slow one")["interaction_id"]
        st = ok(srv, "get_single_gumloop_agent_interaction_by_id",
                {"interaction_id": iid})
        assert st["state"] == "ASYNC_PROCESSING" and "response" not in st
        polls = fake.requests(path_prefix="/agent_status/")
        assert polls[-1]["query"]["user_id"] == "user-123"


def test_interaction_wait_times_out_with_the_id():
    with server() as srv:
        fake.config(agent_ms=60000)
        iid = start(srv, "never ends")["interaction_id"]
        srv.lines.clear()
        res = call(srv, "wait_for_gumloop_agent_interaction",
                   {"interaction_id": iid, "timeout_seconds": 1},
                   meta={"progressToken": "ix"})
        st = structured(res)
        assert not res.get("isError")
        assert st["timed_out"] is True and st["interaction_id"] == iid
        assert st["state"] == "ASYNC_PROCESSING"
        progress = [json.loads(l) for l in srv.lines
                    if b"notifications/progress" in l]
        assert len(progress) >= 2
        assert all(p["params"]["progressToken"] == "ix" for p in progress)
        assert "ASYNC_PROCESSING" in progress[0]["params"]["message"]


def test_failed_interaction_is_an_error_and_can_be_continued():
    with server() as srv:
        res = call(srv, "create_a_gumloop_agent_interaction",
                   {"gummie_id": "gummie_broken", "message": "try",
                    "wait_seconds": 30})
        assert res.get("isError"), res
        text = text_of(res)
        assert "FAILED" in text and "rate limited" in text, text
        iid = structured(res)["interaction_id"]
        assert structured(res)["error_message"]
        again = ok(srv, "create_a_gumloop_agent_interaction",
                   {"gummie_id": "gummie_broken", "message": "again",
                    "interaction_id": iid})
        assert again["interaction_id"] == iid


def test_every_documented_start_agent_error_is_actionable():
    with server() as srv:
        iid = start(srv, "hello", wait_seconds=30)["interaction_id"]
        cases = [
            ({"gummie_id": "", "message": "x"}, 400, None, "gummie_id"),
            ({"gummie_id": GUMMIE, "message": ""}, 400, None,
             "non-empty message"),
            ({"gummie_id": "gummie_nope", "message": "x"}, 404,
             "gummie_not_found", "check it"),
            ({"gummie_id": "gummie_private", "message": "x"}, 403,
             "unauthorized_gummie_access", "may not run that agent"),
            ({"gummie_id": GUMMIE, "message": "x",
              "interaction_id": "interaction_nope"}, 404,
             "interaction_not_found", "start a new conversation"),
            ({"gummie_id": "gummie_broken", "message": "x",
              "interaction_id": iid}, 400, "interaction_gummie_mismatch",
             "another agent"),
            ({"gummie_id": GUMMIE, "message": "x", "interaction_id": iid,
              "user_id": "user-456"}, 403,
             "unauthorized_interaction_access", "another user"),
        ]
        for args, status, code, hint in cases:
            text = error_text(srv, "create_a_gumloop_agent_interaction",
                              args, status, code)
            assert hint in text, (args, text)
        text = error_text(srv, "get_single_gumloop_agent_interaction_by_id",
                     {"interaction_id": "interaction_nope"}, 404,
                     "interaction_not_found")
        assert "check it" in text
        text = error_text(srv, "get_single_gumloop_agent_interaction_by_id",
                     {"interaction_id": iid, "user_id": "user-456"}, 403,
                     None)
        assert "user_id" in text, text
        text = error_text(srv, "wait_for_gumloop_agent_interaction",
                     {"interaction_id": "interaction_nope"}, 404,
                     "interaction_not_found")
        assert len(fake.requests(path_prefix="/agent_status/")) >= 1


def test_missing_user_and_bad_key_are_explained():
    with server(user=None) as srv:
        res = call(srv, "create_a_gumloop_agent_interaction",
                   {"gummie_id": GUMMIE, "message": "x"})
        assert res.get("isError") and "user_id" in text_of(res)
        assert not fake.requests(path_prefix="/start_agent")
    with server(key="wrong-key") as srv:
        text = error_text(srv, "create_a_gumloop_agent_interaction",
                     {"gummie_id": GUMMIE, "message": "x"}, 401, None)
        assert "GUMLOOP_API_KEY" in text


def test_interaction_tools_are_legacy_scoped():
    with server() as srv:
        tools = {t["name"]: t for t in srv.list_tools()}
        for name in ("create_a_gumloop_agent_interaction",
                     "get_single_gumloop_agent_interaction_by_id",
                     "wait_for_gumloop_agent_interaction"):
            props = tools[name]["inputSchema"]["properties"]
            assert "user_id" in props and "team_id" not in props, name
        props = tools["create_a_gumloop_agent_interaction"]["inputSchema"]
        assert "wait_seconds" in props["properties"]
        assert props["required"] == ["gummie_id", "message"]
        assert "timeout_seconds" in tools[
            "wait_for_gumloop_agent_interaction"]["inputSchema"]["properties"]


# ---- agent resources -----------------------------------------------------

def test_list_and_find_agents_by_name():
    with server() as srv:
        found = ok(srv, "list_all_gumloop_agents", {"search": "sales ops"})
        assert [a["name"] for a in found["agents"]] == ["Sales Ops Agent"]
        req = fake.requests(path_prefix="/agents")[-1]
        assert req["query"]["team_id"] == "team_growth"
        assert req["query"]["search"] == "sales ops"
        one = ok(srv, "get_single_gumloop_agent_by_id",
                 {"agent_id": found["agents"][0]["id"]})
        assert one["agent"]["skill_ids"] == ["skill_csv"]
        text = error_text(srv, "get_single_gumloop_agent_by_id",
                     {"agent_id": "agent_nope"}, 404, "agent_not_found")
        assert "list_all_gumloop_agents" in text


def test_create_and_update_an_agent_adds_versions():
    with server() as srv:
        made = ok(srv, "create_a_gumloop_agent", {
            "name": "Billing Agent", "model_name": "gpt-4.1",
            "system_prompt": "You answer billing questions.",
            "skill_ids": ["skill_csv"]})["agent"]
        body = fake.requests(path_prefix="/agents", method="POST")[-1]["body"]
        assert body["team_id"] == "team_growth" and body["name"] == \
            "Billing Agent"
        assert made["name"] == "Billing Agent"
        upd = ok(srv, "update_a_gumloop_agent_by_id",
                 {"agent_id": made["id"], "description": "billing help"})
        assert upd["agent"]["description"] == "billing help"
        vers = ok(srv, "list_all_gumloop_agent_versions",
                  {"agent_id": made["id"], "page_size": 1})
        assert len(vers["versions"]) == 1 and vers["next_cursor"]
        assert vers["versions"][0]["major_version"] == 2
        rest = ok(srv, "list_all_gumloop_agent_versions",
                  {"agent_id": made["id"], "cursor": vers["next_cursor"]})
        assert [v["major_version"] for v in rest["versions"]] == [1]
        v = ok(srv, "get_single_gumloop_agent_version_by_id",
               {"agent_id": made["id"], "version_id": vers["versions"][0]["id"]})
        assert v["version"]["composition"]["description"] == "billing help"
        text = error_text(srv, "create_a_gumloop_agent",
                     {"name": "X", "model_name": "m", "skill_ids": ["bogus"]},
                     400, "skill_not_found")
        assert "list_all_gumloop_skills" in text


def test_attach_and_detach_skills():
    with server() as srv:
        res = ok(srv, "update_gumloop_agent_skills", {
            "agent_id": "agent_sales_ops", "attach": ["skill_pdf", "skill_csv"],
            "detach": ["skill_old"]})
        assert res["attached"] == ["skill_pdf"]
        assert res["already_attached"] == ["skill_csv"]
        assert res["already_detached"] == ["skill_old"]
        assert sorted(res["skill_ids"]) == ["skill_csv", "skill_pdf"]
        before = len(fake.requests())
        res = call(srv, "update_gumloop_agent_skills", {
            "agent_id": "agent_sales_ops", "attach": ["skill_a"],
            "detach": ["skill_a"]})
        assert res.get("isError") and "both" in text_of(res)
        assert len(fake.requests()) == before, "refused before sending"
        res = call(srv, "update_gumloop_agent_skills",
                   {"agent_id": "agent_sales_ops"})
        assert res.get("isError") and "attach" in text_of(res)


def test_agent_mcp_servers():
    with server() as srv:
        lst = ok(srv, "list_all_gumloop_agent_mcp_servers",
                 {"agent_id": "agent_sales_ops"})
        assert [s["server_id"] for s in lst["mcp_servers"]] == ["crm", "gmail"]
        put = ok(srv, "update_a_gumloop_agent_mcp_server_by_id", {
            "agent_id": "agent_sales_ops", "server_id": "slack",
            "config": {"approval_mode": "auto"}})
        assert put["created"] is True
        assert put["mcp_server"]["approval_mode"] == "auto"
        req = fake.requests(method="PUT")[-1]
        assert req["body"] == {"approval_mode": "auto"}, req["body"]
        for sid, status, code, hint in (
                ("salesforce", 403, "mcp_server_restricted", "admin"),
                ("notion", 409, "ambiguous_mcp_server", "exact server_id"),
                ("nope", 404, "mcp_server_not_found",
                 "list_all_gumloop_mcp_servers")):
            text = error_text(srv, "update_a_gumloop_agent_mcp_server_by_id",
                         {"agent_id": "agent_sales_ops", "server_id": sid},
                         status, code)
            assert hint in text, text
        gone = ok(srv, "delete_a_gumloop_agent_mcp_server_by_id",
                  {"agent_id": "agent_sales_ops", "server_id": "slack"})
        assert gone["detached"] is True
        # force: an identical write within 10 s is otherwise held back
        again = ok(srv, "delete_a_gumloop_agent_mcp_server_by_id",
                   {"agent_id": "agent_sales_ops", "server_id": "slack",
                    "force": True})
        assert again["detached"] is False


def test_agent_tools_are_team_scoped_and_annotated():
    with server() as srv:
        tools = {t["name"]: t for t in srv.list_tools()}
        names = [n for n in tools if "agent" in n and "interaction" not in n
                 and "evaluation" not in n and "artifact" not in n
                 and "session" not in n]
        assert len(names) == 10, names
        for n in names:
            props = tools[n]["inputSchema"]["properties"]
            assert "team_id" in props and "user_id" not in props, n
            assert schema.admits_error(tools[n]["outputSchema"]), n
        assert hint(tools["delete_a_gumloop_agent_mcp_server_by_id"],
                    "destructiveHint") is True
        assert hint(tools["list_all_gumloop_agents"], "readOnlyHint") is True


if __name__ == "__main__":
    harness.main(globals())
