#!/usr/bin/env python3
"""Sessions through the real binary: the seeds' second scenario end to
end, 201 idle vs 202 processing, 409 while busy, 429 concurrency,
messages_limit, cancel, failed turns, queued sessions and waits."""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
import harness  # noqa: E402
from fake import SharedFake  # noqa: E402
import schema  # noqa: E402
from mcp import hint, structured, text_of  # noqa: E402
from tooltest import call, error, fresh_server, ok  # noqa: E402

SALES = "agent_sales_ops"
fake = SharedFake(run_ms=300, queue_ms=20)


def server(**kw):
    return fresh_server(fake, **kw)


def test_scenario_sales_ops_agent_formats_the_crm_export():
    """Start a session with our internal 'Sales Ops Agent', ask it to
    format the raw CRM export, wait for it to finish and give me its final
    answer."""
    with server() as srv:
        agents = ok(srv, "list_all_gumloop_agents",
                    {"search": "Sales Ops Agent"})["agents"]
        agent = next(a for a in agents if a["name"] == "Sales Ops Agent")
        started = ok(srv, "create_a_gumloop_session", {
            "agent_id": agent["id"],
            "input": "Please format the raw CRM export into a clean table"})
        assert started["state"] == "processing", started
        assert started["accepted"].startswith("202"), started
        sid = started["session_id"]
        post = fake.requests(path_prefix="/agents/%s/sessions" % SALES,
                             method="POST")
        assert post[0]["body"]["input"].startswith("Please format")
        assert post[0]["query"]["team_id"] == "team_growth"
        res = call(srv, "wait_for_gumloop_session", {"session_id": sid})
        assert not res.get("isError"), text_of(res)
        st = structured(res)
        assert st["state"] == "completed" and st["session_id"] == sid
        assert "Formatted CRM export (3 records)" in st["reply"]
        assert "| Ada Lovelace |" in st["reply"]
        # the reply also travels as plain text, after the JSON item
        texts = [c["text"] for c in res["content"]]
        assert json.loads(texts[0])["reply"] == st["reply"]
        assert texts[1] == st["reply"]
        assert st["session"]["messages"][-1]["role"] == "assistant"


def test_scenario_in_one_call_with_wait_seconds():
    with server() as srv:
        st = ok(srv, "create_a_gumloop_session", {
            "agent_id": SALES, "input": "format the raw CRM export",
            "wait_seconds": 30})
        assert st["state"] == "completed", st
        assert "Formatted CRM export" in st["reply"]
        assert st["accepted"].startswith("202")


def test_without_input_the_session_is_idle_201():
    with server() as srv:
        st = ok(srv, "create_a_gumloop_session",
                {"agent_id": SALES, "name": "CRM cleanup"})
        assert st["state"] == "idle"
        assert st["accepted"].startswith("201"), st
        assert "create_a_gumloop_session_message" in st["accepted"]
        waited = ok(srv, "wait_for_gumloop_session",
                    {"session_id": st["session_id"]})
        assert waited["state"] == "idle" and "reply" not in waited
        sent = ok(srv, "create_a_gumloop_session_message", {
            "session_id": st["session_id"], "input": "hi", "wait_seconds": 30})
        assert sent["state"] == "completed" and "hi" in sent["reply"]


def test_message_while_busy_is_409_explained_then_accepted():
    with server() as srv:
        fake.config(session_ms=1500)   # room for the message while busy
        sid = ok(srv, "create_a_gumloop_session",
                 {"agent_id": SALES, "input": "first"})["session_id"]
        res = error(srv, "create_a_gumloop_session_message",
                    {"session_id": sid, "input": "second"}, 409,
                    "interaction_not_in_terminal_state")
        assert "wait_for_gumloop_session" in text_of(res), text_of(res)
        ok(srv, "wait_for_gumloop_session", {"session_id": sid})
        fake.config(session_ms=300)
        st = ok(srv, "create_a_gumloop_session_message",
                {"session_id": sid, "input": "second", "wait_seconds": 30})
        assert "(turn 2)" in st["reply"] and "second" in st["reply"]
        assert "first" not in st["reply"], "only the last turn's answer"


def test_concurrency_limit_429_is_explained_and_not_retried():
    with server() as srv:
        fake.config(max_sessions=1, session_ms=60000)
        ok(srv, "create_a_gumloop_session", {"agent_id": SALES, "input": "a"})
        res = error(srv, "create_a_gumloop_session",
                    {"agent_id": SALES, "input": "b"}, 429,
                    "concurrency_limit_exceeded")
        text = text_of(res)
        assert "concurrency" in text and "wait_for_gumloop_session" in text
        assert structured(res)["error"]["retry_after"] == 2
        posts = fake.requests(path_prefix="/agents/%s/sessions" % SALES,
                              method="POST")
        assert len(posts) == 2, "a write is never retried by itself"
        idle = ok(srv, "create_a_gumloop_session", {"agent_id": SALES})
        res = error(srv, "create_a_gumloop_session_message",
                    {"session_id": idle["session_id"], "input": "c"}, 429)
        assert "concurrency" in text_of(res)


def test_messages_limit_keeps_the_newest_and_says_how_many_left_out():
    with server() as srv:
        sid = ok(srv, "create_a_gumloop_session", {
            "agent_id": SALES, "input": "one", "wait_seconds": 30})["session_id"]
        ok(srv, "create_a_gumloop_session_message",
           {"session_id": sid, "input": "two", "wait_seconds": 30})
        full = ok(srv, "get_single_gumloop_session_by_id", {"session_id": sid})
        assert len(full["session"]["messages"]) == 4
        assert "messages_omitted" not in full
        assert "two" in full["reply"]
        one = ok(srv, "get_single_gumloop_session_by_id",
                 {"session_id": sid, "messages_limit": 1})
        assert one["messages_omitted"] == 3
        assert [m["role"] for m in one["session"]["messages"]] == ["assistant"]
        assert one["session"]["messages"][0]["content"] == full["reply"]
        assert one["reply"] == full["reply"], "the reply survives the trim"
        none = ok(srv, "get_single_gumloop_session_by_id",
                  {"session_id": sid, "messages_limit": 0})
        assert none["session"]["messages"] == [] and \
            none["messages_omitted"] == 4


def test_a_large_session_comes_back_whole():
    """A 3 MiB answer (the body is parsed the lean way above 1 MiB): the
    reply, the messages and the JSON text item all carry it exactly."""
    row = 'Row %05d: "quoted", caf\u00e9 \U0001F600 \\ a tab\tand a newline\n'
    answer = "".join(row % i for i in range(3 << 20 // len(row % 0)))
    body = {"session": {"id": "sess_big", "state": "completed",
                        "agent_id": SALES, "messages": [
                            {"role": "user", "content": "the big one"},
                            {"role": "assistant", "content": answer,
                             "parts": [{"type": "text", "text": answer}]}]}}
    with server() as srv:
        fake.fault(path="/api/v1/sessions/sess_big", method="GET",
                   status=200, body=json.dumps(body), times=-1)
        res = call(srv, "get_single_gumloop_session_by_id",
                   {"session_id": "sess_big"})
        assert not res.get("isError"), text_of(res)
        st = structured(res)
        assert st["reply"] == answer and st["state"] == "completed"
        assert st["session"] == body["session"]
        texts = [c["text"] for c in res["content"]]
        assert json.loads(texts[0]) == st
        none = ok(srv, "get_single_gumloop_session_by_id",
                  {"session_id": "sess_big", "messages_limit": 0})
        assert none["reply"] == answer and none["session"]["messages"] == []
        fake.clear_faults()


def large_session_body(sid, messages):
    return json.dumps({"session": {"id": sid, "state": "completed",
                                   "agent_id": SALES, "messages": messages}})


def test_a_large_session_keeps_strings_that_look_like_its_placeholders():
    """The lean parse swaps long strings for placeholders; a short string
    spelled like one, plainly or escaped, stays what it was."""
    big = "A" * (2 << 20)
    body = large_session_body("sess_mark", [
        {"role": "user", "content": "gumloop-mcp-long-string-0"},
        {"role": "user", "content": "PLACEHOLDER"},
        {"role": "assistant", "content": big}]).replace(
            "PLACEHOLDER", "\\u0067umloop-mcp-long-string-0")
    with server() as srv:
        fake.fault(path="/api/v1/sessions/sess_mark", method="GET",
                   status=200, body=body, times=-1)
        msgs = ok(srv, "get_single_gumloop_session_by_id",
                  {"session_id": "sess_mark"})["session"]["messages"]
        fake.clear_faults()
        assert [m["content"] for m in msgs] == [
            "gumloop-mcp-long-string-0", "gumloop-mcp-long-string-0", big]


def test_a_large_session_with_a_lone_surrogate_is_not_json():
    body = large_session_body("sess_lone", [
        {"role": "assistant", "content": "LONE" + "B" * (2 << 20)}]).replace(
            "LONE", "\\ud800")
    with server() as srv:
        fake.fault(path="/api/v1/sessions/sess_lone", method="GET",
                   status=200, body=body, times=-1)
        res = call(srv, "get_single_gumloop_session_by_id",
                   {"session_id": "sess_lone"})
        fake.clear_faults()
        assert res.get("isError"), "a body cJSON refuses passed as a success"
        assert structured(res)["error"]["code"] == "non_json_response"


def test_cancel_makes_a_running_session_failed():
    with server() as srv:
        fake.config(session_ms=60000)
        sid = ok(srv, "create_a_gumloop_session",
                 {"agent_id": SALES, "input": "long job"})["session_id"]
        st = ok(srv, "cancel_a_gumloop_session", {"session_id": sid})
        assert st["state"] == "failed" and st["session_id"] == sid
        again = ok(srv, "cancel_a_gumloop_session",
                   {"session_id": sid, "force": True})
        assert again["state"] == "failed"
        res = call(srv, "wait_for_gumloop_session", {"session_id": sid})
        assert res.get("isError") and "failed" in text_of(res)
        assert structured(res)["state"] == "failed"


def test_failed_turn_is_an_error_with_the_agent_message():
    with server() as srv:
        res = call(srv, "create_a_gumloop_session", {
            "agent_id": "agent_flaky", "input": "x", "wait_seconds": 30})
        assert res.get("isError"), res
        assert "model provider returned an error" in text_of(res)
        assert structured(res)["session_id"]


def test_queued_session_reports_its_position_then_completes():
    with server() as srv:
        fake.config(session_queue_ms=400)
        st = ok(srv, "create_a_gumloop_session",
                {"agent_id": SALES, "input": "queued work"})
        assert st["state"] == "queued" and st["queue_position"] == 1, st
        assert "queued" in st["accepted"]
        done = ok(srv, "wait_for_gumloop_session",
                  {"session_id": st["session_id"]})
        assert done["state"] == "completed" and done["queue_position"] is None


def test_wait_times_out_with_the_session_id_and_progress():
    with server() as srv:
        fake.config(session_ms=60000)
        sid = ok(srv, "create_a_gumloop_session",
                 {"agent_id": SALES, "input": "slow"})["session_id"]
        srv.lines.clear()
        res = call(srv, "wait_for_gumloop_session",
                   {"session_id": sid, "timeout_seconds": 1},
                   meta={"progressToken": 42})
        st = structured(res)
        assert not res.get("isError")
        assert st["timed_out"] is True and st["session_id"] == sid
        assert st["state"] == "processing" and "reply" not in st
        progress = [json.loads(l) for l in srv.lines
                    if b"notifications/progress" in l]
        assert progress and all(
            p["params"]["progressToken"] == 42 for p in progress)
        assert "processing" in progress[-1]["params"]["message"]


def test_list_sessions_with_paging_and_filters():
    with server() as srv:
        for name in ("alpha", "beta", "gamma"):
            ok(srv, "create_a_gumloop_session",
               {"agent_id": SALES, "name": name})
        page = ok(srv, "list_all_gumloop_sessions",
                  {"agent_id": SALES, "page_size": 2})
        assert [s["name"] for s in page["sessions"]] == ["gamma", "beta"]
        rest = ok(srv, "list_all_gumloop_sessions",
                  {"agent_id": SALES, "cursor": page["next_cursor"]})
        assert [s["name"] for s in rest["sessions"]] == ["alpha"]
        assert rest["next_cursor"] is None
        found = ok(srv, "list_all_gumloop_sessions",
                   {"agent_id": SALES, "search": "bet", "state": "idle"})
        assert [s["name"] for s in found["sessions"]] == ["beta"]


def test_session_errors_are_actionable():
    with server() as srv:
        res = error(srv, "create_a_gumloop_session",
                    {"agent_id": "agent_nope"}, 404, "agent_not_found")
        assert "list_all_gumloop_agents" in text_of(res)
        ok(srv, "create_a_gumloop_session",
           {"agent_id": SALES, "session_id": "s-fixed"})
        res = error(srv, "create_a_gumloop_session",
                    {"agent_id": SALES, "session_id": "s-fixed",
                     "force": True}, 409, "session_already_exists")
        assert "another session_id" in text_of(res)
        for tool in ("get_single_gumloop_session_by_id",
                     "wait_for_gumloop_session", "cancel_a_gumloop_session"):
            res = error(srv, tool, {"session_id": "s-nope"}, 404,
                        "session_not_found")
            assert "list_all_gumloop_sessions" in text_of(res), tool


def test_session_tools_in_the_catalog():
    with server() as srv:
        tools = {t["name"]: t for t in srv.list_tools()}
        for name in ("list_all_gumloop_sessions", "create_a_gumloop_session",
                     "get_single_gumloop_session_by_id",
                     "create_a_gumloop_session_message",
                     "cancel_a_gumloop_session", "wait_for_gumloop_session"):
            t = tools[name]
            props = t["inputSchema"]["properties"]
            assert "team_id" in props and "user_id" not in props, name
            assert schema.admits_error(t["outputSchema"]), name
        assert "wait_seconds" in tools["create_a_gumloop_session"][
            "inputSchema"]["properties"]
        assert "wait_seconds" in tools["create_a_gumloop_session_message"][
            "inputSchema"]["properties"]
        assert hint(tools["cancel_a_gumloop_session"],
                    "destructiveHint") is True
        assert hint(tools["wait_for_gumloop_session"], "readOnlyHint") is True


if __name__ == "__main__":
    harness.main(globals())
