#!/usr/bin/env python3
"""make demo: the server against the fake Gumloop, no account needed.

Starts the fake on 127.0.0.1, pipes examples/session.jsonl through
./gumloop-mcp one line at a time, and prints the exchange readably.
"""
import json
import os
import sys
import textwrap

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from fake import Fake  # noqa: E402
from mcp import Server, REPO_ROOT  # noqa: E402

SESSION = os.path.join(REPO_ROOT, "examples", "session.jsonl")
WIDTH = 100


def show(label, obj, limit=14):
    if isinstance(obj, str):         # a tool error's text: whole, wrapped
        print(label)
        print(textwrap.fill(obj, WIDTH, initial_indent="    ",
                            subsequent_indent="    ",
                            break_on_hyphens=False, break_long_words=False))
        return
    text = json.dumps(obj, indent=2, ensure_ascii=False)
    lines = text.splitlines()
    if len(lines) > limit:
        lines = lines[:limit] + ["  ... (%d more lines)" % (len(lines) - limit)]
    print(label)
    for line in lines:
        if len(line) > WIDTH:
            line = line[:WIDTH - 4] + " ..."
        print("    " + line)


def describe_request(msg):
    if msg.get("method") == "tools/call":
        p = msg["params"]
        return "tools/call %s %s" % (p["name"], json.dumps(p.get("arguments")))
    return msg.get("method")


def describe_result(msg):
    res = msg.get("result")
    if res is None:
        return msg
    if "tools" in res:
        return {"tools": [t["name"] for t in res["tools"]],
                "nextCursor": res.get("nextCursor")}
    if res.get("isError"):
        return res["content"][0]["text"]
    if "content" in res:
        return {"structuredContent": res.get("structuredContent")}
    return res


def main():
    with Fake() as fake, Server(fake=fake) as srv:
        print("fake Gumloop listening on %s\n" % fake.base_url)
        for raw in open(SESSION):
            msg = json.loads(raw)
            srv.send_raw(raw if raw.endswith("\n") else raw + "\n")
            print("-> %s" % describe_request(msg))
            if "id" not in msg:
                print("   (notification: no reply)\n")
                continue
            shown = describe_result(srv.recv_response(msg["id"]))
            show("<- reply to id %s%s" % (msg["id"], ": a tool error "
                 "(isError), its text in full" if isinstance(shown, str)
                 else ""), shown)
            print()
        starts = fake.requests(path_prefix="/api/v1/start_pipeline")
        print("the fake received %d start_pipeline request(s):" % len(starts))
        for r in starts:
            print("    %s" % json.dumps(r["body"]))
        rc = srv.close()
    print("\nserver exited with status %d" % rc)
    return rc


if __name__ == "__main__":
    sys.exit(main())
