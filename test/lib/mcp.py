"""Drive the real ./gumloop-mcp binary over stdio from Python tests.

    from mcp import Server
    with Fake() as fake, Server(fake=fake) as srv:
        srv.initialize()
        result = srv.call("list_all_gumloop_flows", {})

Standard library only. With VALGRIND=1 in the environment the binary runs
under valgrind memcheck and a memory error fails the test at close(); so
does a sanitizer report on stderr (make SANITIZE=address,undefined).
"""

import json
import os
import select
import subprocess
import tempfile
import time

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
BINARY = os.environ.get("GUMLOOP_MCP", os.path.join(REPO_ROOT, "gumloop-mcp"))
TEST_KEY = "test-key"
TEST_USER = "user-123"
VALGRIND_STATUS = 99
# What ASan, LeakSanitizer and UBSan print (make SANITIZE=address,undefined)
SANITIZER_MARKS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer",
                   "runtime error:")


class ServerError(Exception):
    pass


def base_env(fake=None, key=TEST_KEY, user=TEST_USER, extra=None):
    """A minimal environment pointing at the fake (never a real host)."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"),
           "HOME": os.environ.get("HOME", "/tmp")}
    if key is not None:
        env["GUMLOOP_API_KEY"] = key
    if user is not None:
        env["GUMLOOP_USER_ID"] = user
    if fake is not None:
        env["GUMLOOP_BASE_URL"] = fake.base_url
        env["GUMLOOP_STREAM_BASE_URL"] = fake.stream_url
    else:
        env["GUMLOOP_BASE_URL"] = "http://127.0.0.1:9/api/v1"
        env["GUMLOOP_STREAM_BASE_URL"] = "http://127.0.0.1:9/stream/api/v1"
    env.update(extra or {})
    return env


class Server:
    """A running gumloop-mcp process; a context manager."""

    def __init__(self, fake=None, args=(), env=None, key=TEST_KEY,
                 user=TEST_USER, extra_env=None, start=True, binary=None):
        self.env = env if env is not None else base_env(fake, key, user,
                                                        extra_env)
        self.args = list(args)
        self.binary = binary or BINARY
        self.proc = None
        self.notifications = []
        self._buf = b""
        self._next_id = 1000
        self.stderr_path = None
        self.lines = []          # every raw stdout line, for purity checks
        if start:
            self.start()

    def start(self):
        cmd = [self.binary] + self.args
        if os.environ.get("VALGRIND") == "1":
            cmd = ["valgrind", "-q", "--error-exitcode=%d" % VALGRIND_STATUS,
                   "--leak-check=full", "--errors-for-leak-kinds=definite",
                   "--show-leak-kinds=definite"] + cmd
        fd, self.stderr_path = tempfile.mkstemp(prefix="gumloop-mcp-stderr.")
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=fd,
                                     env=self.env)
        os.close(fd)
        return self

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # raw I/O

    def send_raw(self, data):
        if isinstance(data, str):
            data = data.encode()
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def send(self, obj):
        self.send_raw(json.dumps(obj, separators=(",", ":")) + "\n")

    def read_line(self, timeout=15):
        deadline = time.time() + timeout
        while b"\n" not in self._buf:
            left = deadline - time.time()
            if left <= 0:
                raise ServerError("no output within %ss; stderr: %s"
                                  % (timeout, self.stderr()[-2000:]))
            r, _, _ = select.select([self.proc.stdout], [], [], left)
            if not r:
                continue
            chunk = os.read(self.proc.stdout.fileno(), 1 << 20)
            if not chunk:
                raise EOFError("server closed stdout; stderr: %s"
                               % self.stderr()[-2000:])
            self._buf += chunk
        line, self._buf = self._buf.split(b"\n", 1)
        self.lines.append(line)
        return line

    def recv(self, timeout=15):
        """The next message (notifications included)."""
        line = self.read_line(timeout)
        try:
            return json.loads(line)
        except ValueError:
            raise ServerError("stdout line is not JSON: %r" % line[:200])

    def recv_response(self, id=None, timeout=15):
        """The next response (notifications are kept in .notifications)."""
        while True:
            msg = self.recv(timeout)
            if "method" in msg and "id" not in msg:
                self.notifications.append(msg)
                continue
            if id is not None and msg.get("id") != id:
                raise ServerError("expected id %r, got %r" % (id, msg))
            return msg

    def quiet(self, wait=0.3):
        """True when nothing is written within wait seconds."""
        if b"\n" in self._buf:
            return False
        r, _, _ = select.select([self.proc.stdout], [], [], wait)
        return not r

    # protocol helpers

    def new_id(self):
        self._next_id += 1
        return self._next_id

    def request(self, method, params=None, id=None, timeout=15):
        id = self.new_id() if id is None else id
        msg = {"jsonrpc": "2.0", "id": id, "method": method}
        if params is not None:
            msg["params"] = params
        self.send(msg)
        return self.recv_response(id, timeout)

    def notify(self, method, params=None):
        msg = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            msg["params"] = params
        self.send(msg)

    def initialize(self, version="2025-11-25"):
        resp = self.request("initialize", {
            "protocolVersion": version, "capabilities": {},
            "clientInfo": {"name": "tests", "version": "0"}})
        if "result" not in resp:
            raise ServerError("initialize failed: %r" % resp)
        self.notify("notifications/initialized")
        return resp["result"]

    def call(self, name, arguments=None, timeout=15, meta=None):
        """tools/call; returns the result (raises on a JSON-RPC error)."""
        params = {"name": name, "arguments": arguments or {}}
        if meta:
            params["_meta"] = meta
        resp = self.request("tools/call", params, timeout=timeout)
        if "error" in resp:
            raise ServerError("tools/call %s: %r" % (name, resp["error"]))
        return resp["result"]

    def list_tools(self):
        tools, cursor = [], None
        while True:
            params = {"cursor": cursor} if cursor else {}
            result = self.request("tools/list", params)["result"]
            tools += result["tools"]
            cursor = result.get("nextCursor")
            if not cursor:
                return tools

    # shutdown

    def stderr(self):
        try:
            with open(self.stderr_path, "r", errors="replace") as f:
                return f.read()
        except (OSError, TypeError):
            return ""

    def close(self, timeout=10):
        """Closes stdin and waits; returns the exit status."""
        if self.proc is None:
            return None
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise ServerError("server did not exit within %ss of EOF" % timeout)
        finally:
            self.proc.stdout.close()
        self.returncode = rc
        self.proc = None
        if rc == VALGRIND_STATUS:
            raise ServerError("valgrind found errors: %s" % self.stderr()[-4000:])
        report = self.stderr()
        if any(mark in report for mark in SANITIZER_MARKS):
            raise ServerError("sanitizer report: %s" % report[-4000:])
        return rc


def run_once(args, fake=None, env=None, input=None, timeout=60, **env_kw):
    """Runs the binary once (a mode such as --call or --check) and returns
    the subprocess.CompletedProcess with text stdout and stderr."""
    cmd = [BINARY] + list(args)
    if os.environ.get("VALGRIND") == "1":
        cmd = ["valgrind", "-q", "--error-exitcode=%d" % VALGRIND_STATUS,
               "--leak-check=full", "--errors-for-leak-kinds=definite"] + cmd
    proc = subprocess.run(
        cmd, input=input, capture_output=True, text=True, timeout=timeout,
        env=env if env is not None else base_env(fake, **env_kw))
    if proc.returncode == VALGRIND_STATUS:
        raise ServerError("valgrind found errors: %s" % proc.stderr[-4000:])
    return proc


def structured(result):
    return result.get("structuredContent")


def text_of(result):
    return "".join(c.get("text", "") for c in result.get("content", [])
                   if c.get("type") == "text")


# The MCP spec's defaults: tools/list sends only the hints that differ.
HINT_DEFAULTS = {"readOnlyHint": False, "destructiveHint": True,
                 "idempotentHint": False, "openWorldHint": True}


def hint(tool, name):
    """A tool's annotation hint, the spec's default when it is left out.
    destructiveHint and idempotentHint mean something only for a tool that
    is not read-only: a read-only tool neither destroys nor repeats."""
    given = tool.get("annotations", {})
    if name in given:
        return given[name]
    if name != "readOnlyHint" and given.get("readOnlyHint"):
        return name == "idempotentHint"
    return HINT_DEFAULTS[name]
