"""Drive the fake Gumloop server (test/fake-gumloop) from Python tests.

    from fake import Fake

    with Fake() as fake:
        fake.fault(path="/api/v1/get_pl_run", status=429,
                   headers={"Retry-After": "1"})
        ...  # point gumloop-mcp at fake.base_url / fake.stream_url
        assert fake.requests(path_prefix="/api/v1/get_pl_run")

Standard library only.  The fake exits on its own when this process dies,
because it watches its stdin (a pipe held only by us) for EOF.
"""

import atexit
import json
import os
import signal
import ssl
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
FAKE_BIN = os.path.join(REPO_ROOT, "test", "fake-gumloop")


class FakeError(Exception):
    """The fake could not start, or a control call failed."""


class Fake:
    """A running fake-gumloop; a context manager that stops it on exit."""

    def __init__(self, keys=None, personal_keys=None, run_ms=None,
                 queue_ms=None, port=0, binary=None, extra_args=None,
                 start=True, tls=None):
        """tls=(cert_pem_path, key_pem_path) serves HTTPS instead."""
        self.binary = binary or os.environ.get("FAKE_GUMLOOP", FAKE_BIN)
        self.keys = list(keys or [])
        self.personal_keys = list(personal_keys or [])
        self.run_ms = run_ms
        self.queue_ms = queue_ms
        self.want_port = port
        self.extra_args = list(extra_args or [])
        self.tls = tls
        self.proc = None
        self.port = None
        self._dir = None
        self.log_path = None
        if start:
            self.start()

    # lifecycle

    def _argv(self, port_file):
        argv = [self.binary, "--port-file", port_file, "--exit-on-stdin-eof"]
        if self.want_port:
            argv += ["--port", str(self.want_port)]
        for key in self.keys:
            argv += ["--key", key]
        for key in self.personal_keys:
            argv += ["--personal-key", key]
        if self.run_ms is not None:
            argv += ["--run-ms", str(self.run_ms)]
        if self.queue_ms is not None:
            argv += ["--queue-ms", str(self.queue_ms)]
        if self.tls:
            argv += ["--tls-cert", self.tls[0], "--tls-key", self.tls[1]]
        return argv + self.extra_args

    def start(self, timeout=5.0):
        if not os.access(self.binary, os.X_OK):
            raise FakeError("fake binary missing: %s (run make test/fake-gumloop)"
                            % self.binary)
        self._dir = tempfile.mkdtemp(prefix="fake-gumloop.")
        port_file = os.path.join(self._dir, "port")
        self.log_path = os.path.join(self._dir, "stderr.log")
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(
                self._argv(port_file), stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL, stderr=log)
        self.port = self._wait_port(port_file, timeout)
        return self

    def _wait_port(self, port_file, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise FakeError("fake exited with %s: %s"
                                % (self.proc.returncode, self.log()))
            try:
                with open(port_file) as f:
                    text = f.read().strip()
                if text:
                    return int(text)
            except FileNotFoundError:
                pass
            time.sleep(0.02)
        self.stop()
        raise FakeError("fake did not write its port within %.1f s" % timeout)

    def log(self):
        """The fake's stderr so far."""
        try:
            with open(self.log_path, errors="replace") as f:
                return f.read()
        except (OSError, TypeError):
            return ""

    def stop(self, timeout=5.0):
        """SIGTERM the fake and wait for it; returns its exit status."""
        if not self.proc:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc.stdin:
            self.proc.stdin.close()
        rc = self.proc.returncode
        self.proc = None
        return rc

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
        return False

    # addresses

    @property
    def root_url(self):
        scheme = "https" if self.tls else "http"
        return "%s://127.0.0.1:%d" % (scheme, self.port)

    @property
    def base_url(self):
        return self.root_url + "/api/v1"

    @property
    def stream_url(self):
        return self.root_url + "/stream/api/v1"

    # control API

    def _control(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.root_url + "/_fake/" + path,
                                     data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        try:
            context = (ssl.create_default_context(cafile=self.tls[0])
                       if self.tls else None)
            with urllib.request.urlopen(req, timeout=10,
                                        context=context) as resp:
                return json.loads(resp.read().decode("utf-8", "replace"))
        except urllib.error.HTTPError as e:
            raise FakeError("%s /_fake/%s: %s %s" % (
                method, path, e.code, e.read().decode("utf-8", "replace")))

    def reset(self):
        """Forget requests, faults and runs; restore seeds and timing."""
        return self._control("POST", "reset", {})

    def fault(self, **kw):
        """Queue a fault: path, method, status, headers, body, content_type,
        delay_ms, trickle_ms, cut, times (-1 = forever), pass_through,
        body_bytes (pad the body with spaces to that size)."""
        return self._control("POST", "fault", kw)

    def clear_faults(self):
        return self._control("DELETE", "fault")

    def config(self, **kw):
        """Set knobs (run_ms, queue_ms, max_runs, ...); returns all knobs."""
        return self._control("POST", "config", kw)

    def faults_left(self):
        """How many queued faults have not been used up."""
        return self._control("GET", "fault")["faults"]

    def requests(self, path_prefix=None, method=None):
        """Recorded API requests in arrival order, optionally filtered.

        path_prefix may be given with or without the /api/v1 prefix."""
        reqs = self._control("GET", "requests")["requests"]
        out = []
        for r in reqs:
            if method and r["method"].upper() != method.upper():
                continue
            if path_prefix and not (
                    r["path"].startswith(path_prefix) or
                    r["path"].startswith("/api/v1" + path_prefix)):
                continue
            out.append(r)
        return out

    def __del__(self):
        try:
            self.stop()
        except Exception:
            pass


class SharedFake:
    """The one fake a test script shares between its tests: started on
    first use, stopped when the script ends. It stands for a Fake."""

    def __init__(self, **options):
        self._options = options
        self._fake = None

    def __getattr__(self, name):
        if self._fake is None:
            self._fake = Fake(**self._options)
            atexit.register(self._fake.stop)
        return getattr(self._fake, name)
