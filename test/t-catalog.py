#!/usr/bin/env python3
"""Gumloop's connector catalog (the mcp tag) through the real binary."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
import harness  # noqa: E402
from fake import SharedFake  # noqa: E402
from mcp import Server, hint, structured, text_of  # noqa: E402

fake = SharedFake()
TEAM = {"GUMLOOP_TEAM_ID": "team-9"}


def server(args=(), extra_env=TEAM):
    fake.reset()
    srv = Server(fake=fake, args=args, extra_env=extra_env)
    srv.initialize()
    return srv


def ok(result):
    assert not result.get("isError"), result
    return structured(result)


def test_servers_and_tools_listed_with_team_scope():
    with server() as srv:
        servers = ok(srv.call("list_all_gumloop_mcp_servers"))["servers"]
        assert {s["server_id"] for s in servers} == {"gmail", "slack", "crm"}
        one = ok(srv.call("get_single_gumloop_mcp_server_by_id",
                          {"server_id": "gmail"}))["server"]
        assert "gmail__send_email" in one["allowed_tool_call_ids"]
        tools = ok(srv.call("list_all_gumloop_mcp_tools",
                            {"server_id": "gmail"}))
        assert [t["name"] for t in tools["tools"]] == ["send_email",
                                                       "search_emails"]
        slack = ok(srv.call("list_all_gumloop_mcp_tools",
                            {"server_id": "slack", "team_id": "team-other"}))
        assert slack["tools"] == [] and slack["status"] == "unauthenticated"
        assert slack["gumloop_auth_url"].endswith("/connect/slack")
        reqs = fake.requests(path_prefix="/api/v1/mcp/")
        assert [r["query"].get("team_id") for r in reqs] == \
            ["team-9", "team-9", "team-9", "team-other"], reqs
        res = srv.call("get_single_gumloop_mcp_server_by_id",
                       {"server_id": "nope"})
        assert res["isError"] and structured(res)["error"]["status"] == 404
        assert "mcp_server_not_found" in text_of(res)


def test_tool_call_207_reported_call_by_call():
    with server() as srv:
        res = srv.call("create_a_gumloop_mcp_tool_call", {"calls": [
            {"server_id": "gmail", "tool_name": "send_email",
             "arguments": {"to": "ana@example.com", "subject": "hi"},
             "ref": "mail"},
            {"server_id": "slack", "tool_name": "post_message"}]})
        out = ok(res)
        assert out["succeeded"] == 1 and out["unauthenticated"] == 1
        assert out["failed"] == 0
        first, second = out["results"]
        assert first["status"] == "success" and first["ref"] == "mail"
        assert "ana@example.com" in first["content"][0]["text"]
        assert second["status"] == "unauthenticated"
        url = second["gumloop_auth_url"]
        assert url.endswith("/connect/slack")
        assert "HTTP 207" in out["summary"] and url in out["summary"]
        assert "1 of 2 calls succeeded" in out["summary"]
        sent = fake.requests(path_prefix="/api/v1/mcp/tools/call")
        assert len(sent) == 1
        body = sent[0]["body"]
        assert body["team_id"] == "team-9"
        assert body["calls"][1]["arguments"] == {}   # default filled in
        assert body["calls"][0]["arguments"]["to"] == "ana@example.com"


def test_missing_auth_url_is_looked_up_from_the_server():
    with server() as srv:
        fake.config(omit_auth_url=True)
        out = ok(srv.call("create_a_gumloop_mcp_tool_call", {"calls": [
            {"server_id": "gmail", "tool_name": "search_emails",
             "arguments": {"query": "invoice"}},
            {"server_id": "slack", "tool_name": "post_message"}]}))
        assert out["results"][1]["gumloop_auth_url"].endswith("/connect/slack")
        assert fake.requests(path_prefix="/api/v1/mcp/servers/slack")


def test_all_calls_failed_is_an_error_with_each_reason():
    with server() as srv:
        res = srv.call("create_a_gumloop_mcp_tool_call", {"calls": [
            {"server_id": "gmail", "tool_name": "send_email"},
            {"server_id": "gmail", "tool_name": "no_such_tool"}]})
        assert res["isError"]
        text = text_of(res)
        assert "0 of 2 calls succeeded" in text
        assert "required argument is missing" in text
        assert "no such tool" in text
        assert len(structured(res)["results"]) == 2


def test_batches_gumloop_would_refuse_are_refused_locally():
    with server() as srv:
        six = [{"server_id": "gmail", "tool_name": "search_emails"}] * 6
        for calls, words in [([], "1 to 5"), (six, "not 6"),
                             ([{"server_id": "gmail"}], "tool_name"),
                             ([{"server_id": "gmail", "tool_name": "x",
                                "arguments": []}], "arguments"),
                             (["gmail"], "calls[0]")]:
            res = srv.call("create_a_gumloop_mcp_tool_call",
                           {"calls": calls})
            assert res["isError"] and words in text_of(res), (calls, res)
        assert not fake.requests(path_prefix="/api/v1/mcp/tools/call")


def test_resources_paged_and_read():
    with server() as srv:
        seen, cursor = [], None
        for _ in range(5):
            args = {"server_id": "gmail"}
            if cursor:
                args["cursor"] = cursor
            page = ok(srv.call("list_all_gumloop_mcp_resources", args))
            seen += [r["uri"] for r in page["resources"]]
            cursor = page["next_cursor"]
            if not cursor:
                break
        assert len(seen) == 5 and len(set(seen)) == 5, seen
        pages = fake.requests(path_prefix="/api/v1/mcp/servers/gmail/resources")
        # Gumloop takes no page_size here: only the cursor is sent
        assert len(pages) == 3, pages
        assert all("page_size" not in r["query"] for r in pages), pages
        assert pages[1]["query"]["cursor"] == "c2"
        text = ok(srv.call("get_single_gumloop_mcp_resource",
                           {"server_id": "gmail",
                            "uri": "gmail://labels/INBOX"}))
        assert text["contents"][0]["text"] == "12 messages, 3 unread"
        blob = ok(srv.call("get_single_gumloop_mcp_resource",
                           {"server_id": "gmail",
                            "uri": "gmail://attachments/logo.png"}))
        assert blob["contents"][0]["blob"] == "iVBORw0KGgo="
        bad = srv.call("list_all_gumloop_mcp_resources",
                       {"server_id": "gmail", "cursor": "bogus"})
        assert bad["isError"] and structured(bad)["error"]["status"] == 400


def test_prompts_listed_and_rendered():
    with server() as srv:
        prompts = ok(srv.call("list_all_gumloop_mcp_prompts",
                              {"server_id": "gmail"}))["prompts"]
        assert prompts[0]["name"] == "draft_reply"
        got = ok(srv.call("get_single_gumloop_mcp_prompt",
                          {"server_id": "gmail", "name": "draft_reply",
                           "arguments": {"thread_id": "t-42"}}))
        assert "t-42" in got["messages"][0]["content"]["text"]
        body = fake.requests(path_prefix="/api/v1/mcp/servers/gmail/prompts/get")
        # team_id travels in the body, where Gumloop reads it
        assert body[0]["body"] == {"name": "draft_reply",
                                   "arguments": {"thread_id": "t-42"},
                                   "team_id": "team-9"}, body[0]
        assert "team_id" not in body[0]["query"], body[0]
        # a team's prompt is found in that team's scope only
        team = ok(srv.call("get_single_gumloop_mcp_prompt",
                           {"server_id": "gmail", "name": "team_digest",
                            "team_id": "team_growth"}))
        assert "growth team" in team["messages"][0]["content"]["text"]
        other = srv.call("get_single_gumloop_mcp_prompt",
                         {"server_id": "gmail", "name": "team_digest"})
        assert other["isError"] and "prompt_not_found" in text_of(other)
        res = srv.call("get_single_gumloop_mcp_prompt",
                       {"server_id": "crm", "name": "x"})
        assert res["isError"] and "mcp_server_restricted" in text_of(res)


def test_custom_class_is_filtered_and_annotated():
    with server() as srv:
        tools = {t["name"]: t for t in srv.list_tools()}
        call = tools["create_a_gumloop_mcp_tool_call"]
        assert hint(call, "readOnlyHint") is False
        assert call["inputSchema"]["properties"]["calls"]["maxItems"] == 5
        assert hint(tools["list_all_gumloop_mcp_servers"],
                    "readOnlyHint") is True
    with server(args=["--methods", "read,write"]) as srv:
        names = {t["name"] for t in srv.list_tools()}
        assert "create_a_gumloop_mcp_tool_call" not in names
        assert "list_all_gumloop_mcp_tools" in names
        resp = srv.request("tools/call", {
            "name": "create_a_gumloop_mcp_tool_call",
            "arguments": {"calls": []}})
        assert resp["error"]["code"] == -32602
        assert "--methods" in resp["error"]["message"]


if __name__ == "__main__":
    harness.main(globals())
