#!/usr/bin/env python3
"""gumloop-mcp benchmarks: start-up, per call, memory, a Node peer, context.

    make bench                     # full run (a few minutes)
    make bench BENCH_ARGS=--quick  # fewer repetitions, for a quick look
    make bench BENCH_ARGS=--readme # full run, table written into docs/performance.md

Every figure is the median of repeated runs; every comparison is a ratio of
two medians taken in the same run, with the candidates interleaved round by
round, because the machines are shared and noisy. The table goes to stdout
and to bench/out/results.md. Traffic goes only to the fake Gumloop on
127.0.0.1.
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "test", "lib"))
from fake import Fake  # noqa: E402
from mcp import base_env  # noqa: E402

OUT = os.path.join(HERE, "out")
BIN = os.path.join(ROOT, "build", "bench")
SERVER = os.environ.get("GUMLOOP_MCP", os.path.join(ROOT, "gumloop-mcp"))
RUNNER = os.path.join(BIN, "runner")
TOOLS = os.path.join(ROOT, ".tools", "bench-node")
SDK = "@modelcontextprotocol/sdk@1.32.2"
MIB = 1024 * 1024
# Piped runs read the output every DRAIN_US, not at each reply: with the
# fake, the program and the reader on two cores, a reader woken 10 000
# times a second costs the program measured more than its own work.
DRAIN_US = 1000

INIT = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"protocolVersion": "2025-06-18", "capabilities": {},
                   "clientInfo": {"name": "bench", "version": "1"}}}
LIST = {"jsonrpc": "2.0", "id": 2, "method": "tools/list"}
PER_CALL_TOOL = "get_single_gumloop_flow_run_by_id"
FLOOR_LINES = "HTTP floor writing each answer as a line"


def line(obj):
    return json.dumps(obj, separators=(",", ":")) + "\n"


def write_input(name, lines):
    path = os.path.join(OUT, name)
    with open(path, "w") as f:
        f.writelines(lines)
    return path


def calls_input(name, run_id, count):
    call = {"jsonrpc": "2.0", "method": "tools/call",
            "params": {"name": PER_CALL_TOOL, "arguments": {"run_id": run_id}}}
    lines = [line(INIT)]
    for i in range(count):
        call["id"] = 10 + i
        lines.append(line(call))
    return write_input(name, lines)


def measure(cmd, input_path=None, repeat=1, every=0, env=None, drain_us=0):
    """Runs the stopwatch; returns one dict per run. drain_us: read the
    output in batches, sleeping that long after each read."""
    argv = [RUNNER, "-n", str(repeat)]
    if input_path:
        argv += ["-i", input_path]
    if every:
        argv += ["-s", str(every)]
    if drain_us:
        argv += ["-d", str(drain_us)]
    out = subprocess.run(argv + ["--"] + cmd, env=env, check=True,
                         stdout=subprocess.PIPE, text=True).stdout
    runs = []
    for text in out.splitlines():
        fields = dict(kv.split("=", 1) for kv in text.split())
        samples = fields.pop("rss_kb")
        run = {k: int(v) for k, v in fields.items()}
        run["rss_kb"] = [int(s) for s in samples.split(",") if s]
        runs.append(run)
    return runs


def check(runs, name, lines):
    for r in runs:
        if r["status"] or r["errors"] or r["lines"] != lines:
            raise SystemExit("bench: %s misbehaved: %r (expected %d lines, "
                             "no errors)" % (name, {k: v for k, v in r.items()
                                                   if k != "rss_kb"}, lines))


def interleave(candidates, rounds, per_round):
    """candidates: name -> (cmd, input, env, lines[, drain_us]).
    Returns name -> runs."""
    runs = {name: [] for name in candidates}
    for _ in range(rounds):
        for name, (cmd, inp, env, lines, *drain) in candidates.items():
            got = measure(cmd, inp, per_round.get(name, 1), env=env,
                          drain_us=drain[0] if drain else 0)
            check(got, name, lines)
            runs[name] += got
    return runs


def median(runs, key):
    return statistics.median(r[key] for r in runs)


# ---- the Node peer -----------------------------------------------------

def node_peer():
    """The peer's command, installing the SDK into .tools/ on first use."""
    if not os.path.isdir(os.path.join(TOOLS, "node_modules", "@modelcontextprotocol",
                                      "sdk")):
        os.makedirs(TOOLS, exist_ok=True)
        subprocess.run(["npm", "install", "--prefix", TOOLS, "--no-audit",
                        "--no-fund", "--silent", SDK], check=True,
                       stdout=subprocess.DEVNULL)
    script = os.path.join(TOOLS, "server.mjs")
    with open(os.path.join(HERE, "node-peer", "server.mjs")) as src, \
            open(script, "w") as dst:
        dst.write(src.read())  # beside node_modules, so imports resolve
    return ["node", script, os.path.join(OUT, "catalog.json")]


# ---- helpers -----------------------------------------------------------

def server_session(args, requests, env):
    """Runs the server on the given request objects; returns the replies."""
    text = "".join(line(r) for r in requests)
    out = subprocess.run([SERVER] + args, input=text, env=env, text=True,
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                         check=True).stdout
    return [json.loads(x) for x in out.splitlines()]


def list_pages(args, env):
    """Compact bytes of every tools/list page, and the tools."""
    pages, tools, cursor = [], [], None
    while True:
        req = dict(LIST)
        if cursor:
            req["params"] = {"cursor": cursor}
        reply = server_session(args, [INIT, req], env)[-1]
        result = reply["result"]
        pages.append(len(json.dumps(result, separators=(",", ":"),
                                    ensure_ascii=False).encode()))
        tools += result["tools"]
        cursor = result.get("nextCursor")
        if not cursor:
            return pages, tools


def start_run(env):
    out = subprocess.run(
        [SERVER, "--call", "create_a_gumloop_flow_run",
         json.dumps({"saved_item_id": "flow_competitor_pricing",
                     "inputs": {"target_url": "https://example.com/p"}})],
        env=env, stdout=subprocess.PIPE, text=True, check=True).stdout
    return json.loads(out)["run_id"]


def kib(kb):
    return "%.1f MiB" % (kb / 1024.0)


def ms(us):
    return "%.2f ms" % (us / 1000.0)


def ratio(a, b):
    return "%.2f×" % (a / b)


def verdict(ok):
    return "yes" if ok else "**no**"


# ---- the benchmarks ----------------------------------------------------

def bench_startup(opts, env, peer):
    inp = write_input("startup.in", [line(INIT), line(LIST)])
    cands = {
        "floor (bare)": ([os.path.join(BIN, "floor-bare")], inp, env, 2),
        "floor (linked)": ([os.path.join(BIN, "floor-linked")], inp, env, 2),
        "gumloop-mcp": ([SERVER], inp, env, 2),
    }
    per = {n: opts.startup_per_round for n in cands}
    if peer:
        cands["node peer (SDK 1.32.2)"] = (peer, inp, env, 2)
        per["node peer (SDK 1.32.2)"] = 1
    runs = interleave(cands, opts.startup_rounds, per)
    return {n: {"wall": median(r, "wall_us"), "rss": median(r, "maxrss_kb"),
                "n": len(r)} for n, r in runs.items()}


def bench_per_call(opts, env, peer, url, run_id):
    n = opts.calls
    inp = calls_input("calls.in", run_id, n)
    cands = {
        "HTTP floor (libcurl loop)": ([os.path.join(BIN, "http_floor"),
                                       url, str(n)], None, env, 1),
        FLOOR_LINES: ([os.path.join(BIN, "http_floor"), url, str(n),
                       "--lines"], None, env, n, DRAIN_US),
        "gumloop-mcp": ([SERVER], inp, env, n + 1, DRAIN_US),
        "gumloop-mcp, reader woken per reply": ([SERVER], inp, env, n + 1),
    }
    if peer:
        cands["node peer (SDK 1.32.2)"] = (peer, inp, env, n + 1, DRAIN_US)
    runs = interleave(cands, opts.call_rounds, {})
    return {name: {"wall": median(r, "wall_us"), "rss": median(r, "maxrss_kb"),
                   "n": len(r)} for name, r in runs.items()}


def bench_flat(opts, env, run_id):
    n = opts.soak
    inp = calls_input("soak.in", run_id, n)
    every = max(1, n // 10)
    run = measure([SERVER], inp, 1, every, env, DRAIN_US)
    check(run, "gumloop-mcp soak", n + 1)
    return run[0]


def start_session(env, fake):
    """A completed session; returns the fake's JSON body for it."""
    fake.config(session_ms=0, session_queue_ms=0)
    out = subprocess.run(
        [SERVER, "--call", "create_a_gumloop_session",
         json.dumps({"agent_id": "agent_research",
                     "input": "Summarise the market"})],
        env=env, stdout=subprocess.PIPE, text=True, check=True).stdout
    sid = json.loads(out)["session_id"]
    time.sleep(0.05)
    req = urllib.request.Request(
        fake.base_url + "/sessions/" + sid,
        headers={"Authorization": "Bearer " + env["GUMLOOP_API_KEY"],
                 "x-auth-key": env["GUMLOOP_USER_ID"]})
    with urllib.request.urlopen(req, timeout=10) as resp:
        return sid, json.loads(resp.read())


def bench_big(opts, env, fake, peer):
    """Peak RSS for get_single_gumloop_session_by_id on a 10 MiB session:
    the fake's own session, its assistant answer grown to fill 10 MiB
    (served as a fault body on the session's path)."""
    size = 10 * MIB
    sid, session = start_session(env, fake)
    answer = session["session"]["messages"][-1]
    row = 'Row %06d: "quoted" figures, a tab\tand a newline\n'
    text = "".join(row % i for i in range(size // len(row % 0) + 1))
    chunk = size // 2
    for _ in range(20):     # the answer is there twice: content and text
        answer["content"] = answer["parts"][0]["text"] = text[:chunk]
        body = json.dumps(session, separators=(",", ":"))
        over = len(body.encode()) - size
        if -64 < over <= 0:
            break
        chunk -= (over + 1) // 2
    fake.fault(path="/api/v1/sessions/" + sid, method="GET", status=200,
               body=body, times=-1)
    call = {"jsonrpc": "2.0", "id": 3, "method": "tools/call",
            "params": {"name": "get_single_gumloop_session_by_id",
                       "arguments": {"session_id": sid}}}
    inp = write_input("big.in", [line(INIT), line(call)])
    small = write_input("small.in", [line(INIT), line(
        dict(call, params={"name": PER_CALL_TOOL,
                           "arguments": {"run_id": opts.run_id}}))])
    cands = {"gumloop-mcp": ([SERVER], inp, env, 2),
             "gumloop-mcp, one small call": ([SERVER], small, env, 2)}
    if peer:
        cands["node peer (SDK 1.32.2)"] = (peer, inp, env, 2)
    runs = interleave(cands, opts.big_rounds, {})
    fake.clear_faults()
    return len(body.encode()), {n: median(r, "maxrss_kb") for n, r in runs.items()}


class Session:
    """A server on pipes, read line by line, for the waits benchmark."""

    def __init__(self, env):
        self.proc = subprocess.Popen([SERVER], env=env, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL)
        self.send(INIT)
        self.answer(1)

    def send(self, obj):
        self.proc.stdin.write(line(obj).encode())
        self.proc.stdin.flush()

    def answer(self, id):
        """Reads until the answer to id; returns it and the time it came."""
        while True:
            msg = json.loads(self.proc.stdout.readline())
            if msg.get("id") == id and "method" not in msg:
                return msg, time.monotonic()

    def call(self, id, name, args):
        self.send({"jsonrpc": "2.0", "id": id, "method": "tools/call",
                   "params": {"name": name, "arguments": args}})

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(30)


def waits_round(env, fake, n, run_ms):
    """n waits on runs of run_ms started together, and a quick read sent
    among them: (wall for all, quick read latency, overshoots in s, polls)."""
    fake.config(run_ms=run_ms, queue_ms=0, record=True)
    fake.reset()
    fake.config(run_ms=run_ms, queue_ms=0)
    s = Session(env)
    s.call(8, "list_all_gumloop_flows", {})     # libcurl loaded, connected
    s.answer(8)
    s.call(9, "list_all_gumloop_flows", {})
    sent = time.monotonic()
    _, got = s.answer(9)
    alone = got - sent
    runs, started = [], []
    for i in range(n):
        s.call(100 + i, "create_a_gumloop_flow_run",
               {"saved_item_id": "flow_competitor_pricing",
                "inputs": {"target_url": "https://example.com/p"}})
        msg, _ = s.answer(100 + i)
        runs.append(msg["result"]["structuredContent"]["run_id"])
        started.append(time.monotonic())
    t0 = time.monotonic()
    for i, run_id in enumerate(runs):
        s.call(200 + i, "wait_for_gumloop_flow_run", {"run_id": run_id})
    time.sleep(0.2)
    s.call(10, "list_all_gumloop_flows", {})
    sent = time.monotonic()
    ends = {}
    quick = None
    while len(ends) < n or quick is None:
        msg = json.loads(s.proc.stdout.readline())
        if "method" in msg:
            continue
        if msg["id"] == 10:
            quick = time.monotonic() - sent
        else:
            ends[msg["id"] - 200] = time.monotonic()
    wall = max(ends.values()) - t0
    over = [ends[i] - (started[i] + run_ms / 1000.0) for i in range(n)]
    polls = len(fake.requests("/get_pl_run", method="GET"))
    s.close()
    fake.config(record=False)
    return {"wall": wall, "quick": quick, "alone": alone, "over": over,
            "polls": polls, "waited": sum(ends[i] - t0 for i in range(n))}


def bench_waits(opts, env, fake):
    rounds = 1 if opts.quick else 3
    one = [waits_round(env, fake, 1, 3000) for _ in range(rounds)]
    eight = [waits_round(env, fake, 8, 3000) for _ in range(rounds)]
    over = sorted(x for r in eight for x in r["over"])
    return {"one": statistics.median(r["wall"] for r in one),
            "eight": statistics.median(r["wall"] for r in eight),
            "quick": statistics.median(r["quick"] for r in eight),
            "alone": statistics.median(r["alone"] for r in eight),
            "over_median": statistics.median(over), "over_max": max(over),
            "polls_per_min": statistics.median(
                r["polls"] / (r["waited"] / 60.0) for r in eight),
            "rounds": rounds}


def bench_context(env):
    pages, tools = list_pages([], env)
    with open(os.path.join(OUT, "catalog.json"), "w") as f:
        json.dump(tools, f)
    listed = json.loads(subprocess.run(
        [SERVER, "--list-tools", "--json"], env=env, stdout=subprocess.PIPE,
        text=True, check=True).stdout)
    tags = sorted({t["tag"] for t in listed})
    per_tag = {}
    for tag in tags:
        tag_pages, tag_tools = list_pages(["--tags", tag], env)
        per_tag[tag] = (sum(tag_pages), len(tag_tools))
    disc_pages, disc_tools = list_pages(["--discovery"], env)
    discovery = None
    if len(disc_tools) != len(tools):   # discovery mode is implemented
        discovery = (sum(disc_pages), len(disc_tools))
    return {"full": (sum(pages), len(tools), len(pages)), "tags": per_tag,
            "discovery": discovery}


# ---- the report --------------------------------------------------------

def report(opts, res):
    rows = []
    add = rows.append
    st = res["startup"]
    bare, linked, srv = (st["floor (bare)"], st["floor (linked)"],
                         st["gumloop-mcp"])
    peer = st.get("node peer (SDK 1.32.2)")
    add("## Start-up: spawn → initialize → tools/list → exit (median of %d)"
        % srv["n"])
    add("")
    add("| program | wall time | peak RSS | time vs bare floor | time vs linked floor |")
    add("|---|---|---|---|---|")
    for name, v in st.items():
        add("| %s | %s | %s | %s | %s |" % (name, ms(v["wall"]), kib(v["rss"]),
                                           ratio(v["wall"], bare["wall"]),
                                           ratio(v["wall"], linked["wall"])))
    add("")
    add("| target | measured | met |")
    add("|---|---|---|")
    t_linked = srv["wall"] / linked["wall"]
    add("| time ≤ 1.2× linked floor | %.2f× | %s |" % (t_linked,
                                                       verdict(t_linked <= 1.2)))
    t_bare = srv["wall"] / bare["wall"]
    add("| stretch: time ≤ 2× bare floor | %.2f× | %s |" % (t_bare,
                                                           verdict(t_bare <= 2)))
    add("| stretch: peak RSS ≤ 4 MiB | %s | %s |" % (kib(srv["rss"]),
                                                    verdict(srv["rss"] <= 4096)))
    extra = srv["rss"] - linked["rss"]
    add("| peak RSS ≤ linked floor + 1 MiB | %+.1f MiB | %s |" % (
        extra / 1024.0, verdict(extra <= 1024)))
    if peer:
        add("| node peer / gumloop-mcp (time) | %.1f× | |" % (
            peer["wall"] / srv["wall"]))
        add("| node peer / gumloop-mcp (RSS) | %.1f× | |" % (
            peer["rss"] / srv["rss"]))
    add("")
    pc = res["per_call"]
    floor = pc["HTTP floor (libcurl loop)"]
    srv_c = pc["gumloop-mcp"]
    n = opts.calls
    add("## Per call: %d × tools/call %s, piped, against the fake (median of %d)"
        % (n, PER_CALL_TOOL, srv_c["n"]))
    add("")
    add("| program | total | per call | peak RSS | vs HTTP floor |")
    add("|---|---|---|---|---|")
    for name, v in pc.items():
        add("| %s | %s | %.1f µs | %s | %s |" % (
            name, ms(v["wall"]), v["wall"] / n, kib(v["rss"]),
            ratio(v["wall"], floor["wall"])))
    add("")
    add("Replies are drained every %d µs (a 1 MiB pipe); the row \"reader "
        "woken per reply\" is the same run with a reader that wakes for "
        "every reply, which on two cores competes with the server and the "
        "fake. The row \"%s\" is the HTTP floor also writing each body to "
        "the same reader, one write per answer as a server must: reported "
        "for what it shows, the target is against the plain floor."
        % (DRAIN_US, FLOOR_LINES))
    add("")
    r_call = srv_c["wall"] / floor["wall"]
    add("| target | measured | met |")
    add("|---|---|---|")
    add("| time ≤ 1.3× HTTP floor (a guard, not a target) | %.2f× | %s |" % (
        r_call, verdict(r_call <= 1.3)))
    add("| gumloop-mcp / %s | %.2f× | |" % (
        FLOOR_LINES, srv_c["wall"] / pc[FLOOR_LINES]["wall"]))
    if "node peer (SDK 1.32.2)" in pc:
        add("| node peer / gumloop-mcp (time) | %.1f× | |" % (
            pc["node peer (SDK 1.32.2)"]["wall"] / srv_c["wall"]))
    add("")
    w = res["waits"]
    add("## Many calls at once: waits on runs of 3 s (median of %d rounds)"
        % w["rounds"])
    add("")
    add("| measure | value | target | met |")
    add("|---|---|---|---|")
    r_w = w["eight"] / w["one"]
    add("| 8 parallel waits, wall time vs one wait | %.2f s vs %.2f s = %.2f× "
        "| ≤ 1.3× | %s |" % (w["eight"], w["one"], r_w, verdict(r_w <= 1.3)))
    extra_ms = (w["quick"] - w["alone"]) * 1000
    add("| a quick read sent during the 8 waits | %.1f ms (alone %.1f ms) | "
        "≤ alone + 20 ms | %s |" % (w["quick"] * 1000, w["alone"] * 1000,
                                    verdict(extra_ms <= 20)))
    add("| overshoot after a run ends, median | %.2f s | ≤ 1 s | %s |" % (
        w["over_median"], verdict(w["over_median"] <= 1)))
    add("| overshoot after a run ends, max | %.2f s | ≤ 2 s | %s |" % (
        w["over_max"], verdict(w["over_max"] <= 2)))
    add("| polls per minute of waiting (one wait) | %.0f | | |"
        % w["polls_per_min"])
    add("")
    add("## Memory")
    add("")
    size, big = res["big"]
    flat = res["flat"]
    # the last sample comes with the last reply, as the process exits
    samples = [x for x in flat["rss_kb"][:-1] if x > 0]
    growth = samples[-1] - samples[0] if samples else 0
    add("| measure | value | target | met |")
    add("|---|---|---|---|")
    add("| peak RSS, start-up run | %s (linked floor %s) | ≤ linked floor + 1 MiB | %s |"
        % (kib(srv["rss"]), kib(linked["rss"]), verdict(extra <= 1024)))
    b = big["gumloop-mcp"]
    add("| peak RSS, get_single_gumloop_session_by_id on a %.1f MiB session "
        "| %s = %.2f× the response | ≤ 5× | %s |"
        % (size / MIB, kib(b), b * 1024.0 / size, verdict(b * 1024 <= 5 * size)))
    s_base = big["gumloop-mcp, one small call"]
    add("| the same process after one small call (libcurl loaded) | %s; the "
        "10 MiB result adds %s = %.2f× | | |" % (
            kib(s_base), kib(b - s_base), (b - s_base) * 1024.0 / size))
    if "node peer (SDK 1.32.2)" in big:
        p = big["node peer (SDK 1.32.2)"]
        add("| node peer, same result | %s = %.2f× the response | | |"
            % (kib(p), p * 1024.0 / size))
    add("| RSS across %d piped calls (every %d; peak %s with the lines "
        "queued while a call runs) | %s | flat | %s |" % (
        opts.soak, max(1, opts.soak // 10), kib(flat["maxrss_kb"]),
        " → ".join("%.1f" % (s / 1024.0) for s in samples) + " MiB",
        verdict(growth <= 256)))
    add("")
    ctx = res["context"]
    full_bytes, full_tools, full_pages = ctx["full"]
    add("## Context cost: compact tools/list result")
    add("")
    add("| listing | tools | bytes | target | met |")
    add("|---|---|---|---|---|")
    add("| full catalog (%d page%s) | %d | %d (%.1f KiB) | ≤ 64 KiB | %s |" % (
        full_pages, "" if full_pages == 1 else "s", full_tools, full_bytes,
        full_bytes / 1024.0, verdict(full_bytes <= 64 * 1024)))
    for tag, (nbytes, ntools) in ctx["tags"].items():
        add("| --tags %s | %d | %d | | |" % (tag, ntools, nbytes))
    if ctx["discovery"]:
        nbytes, ntools = ctx["discovery"]
        add("| --discovery | %d | %d (%.1f KiB) | ≤ 3 KiB | %s |" % (
            ntools, nbytes, nbytes / 1024.0, verdict(nbytes <= 3 * 1024)))
    else:
        add("| --discovery | – | not measured: discovery mode is not built yet | ≤ 3 KiB | |")
    add("")
    args = " ".join(sys.argv[1:])
    add("Machine: %s, %d cores, %s. Command: `make bench%s`." % (
        platform.machine(), os.cpu_count(), platform.platform(terse=True),
        " BENCH_ARGS=%s" % args if args else ""))
    return "\n".join(rows) + "\n"


README_BEGIN = "<!-- begin bench results (make bench BENCH_ARGS=--readme) -->\n"
README_END = "<!-- end bench results -->"


def write_readme(text):
    """Replaces the results block of docs/performance.md."""
    path = os.path.join(ROOT, "docs", "performance.md")
    with open(path) as f:
        readme = f.read()
    a = readme.find(README_BEGIN)
    b = readme.find(README_END, a + 1)
    if a < 0 or b < 0:
        raise SystemExit("bench: docs/performance.md has no bench results block")
    # the report's headings become one level lower inside the section
    body = text.replace("\n## ", "\n#### ")
    body = "#### " + body[3:] if body.startswith("## ") else body
    readme = readme[:a + len(README_BEGIN)] + body + readme[b:]
    with open(path, "w") as f:
        f.write(readme)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer repetitions")
    ap.add_argument("--no-peer", action="store_true", help="skip the Node peer")
    ap.add_argument("--calls", type=int, help="calls per per-call run")
    ap.add_argument("--readme", action="store_true",
                    help="also write the table into docs/performance.md")
    opts = ap.parse_args()
    opts.startup_rounds, opts.startup_per_round = (5, 4) if opts.quick else (20, 10)
    opts.calls = opts.calls or (2000 if opts.quick else 10000)
    opts.call_rounds = 1 if opts.quick else 9
    opts.soak = 20000 if opts.quick else 100000
    opts.big_rounds = 1 if opts.quick else 3
    os.makedirs(OUT, exist_ok=True)
    res = {}
    with Fake(run_ms=0, queue_ms=0) as fake:
        fake.config(record=False)
        env = base_env(fake)
        res["context"] = bench_context(env)
        peer = None if opts.no_peer else node_peer()
        run_id = start_run(env)
        time.sleep(0.05)
        url = fake.base_url + "/get_pl_run?run_id=%s&user_id=%s" % (
            run_id, env["GUMLOOP_USER_ID"])
        res["startup"] = bench_startup(opts, env, peer)
        res["per_call"] = bench_per_call(opts, env, peer, url, run_id)
        res["flat"] = bench_flat(opts, env, run_id)
        opts.run_id = run_id
        res["big"] = bench_big(opts, env, fake, peer)
        res["waits"] = bench_waits(opts, env, fake)
    text = report(opts, res)
    with open(os.path.join(OUT, "results.md"), "w") as f:
        f.write(text)
    if opts.readme:
        write_readme(text)
    sys.stdout.write(text)


if __name__ == "__main__":
    main()
