#!/usr/bin/env python3
"""Runs the transcript cases in test/cases/*.jsonl (format: test/cases/README)
through the real binary, one fresh server per file."""
import glob
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
import harness  # noqa: E402
from mcp import Server  # noqa: E402

CASES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "cases")
TYPES = {"$string": str, "$object": dict, "$array": list}


class Mismatch(AssertionError):
    pass


def match(pattern, value, path="$"):
    """Raises Mismatch when value does not match pattern."""
    if pattern == "$any":
        return
    if isinstance(pattern, str) and pattern in TYPES:
        if not isinstance(value, TYPES[pattern]):
            raise Mismatch("%s: expected %s, got %r" % (path, pattern, value))
        return
    if pattern == "$number":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise Mismatch("%s: expected a number, got %r" % (path, value))
        return
    if isinstance(pattern, dict):
        if not isinstance(value, dict):
            raise Mismatch("%s: expected an object, got %r" % (path, value))
        for key, want in pattern.items():
            if want == "$absent":
                if key in value:
                    raise Mismatch("%s.%s: should be absent, is %r"
                                   % (path, key, value[key]))
            elif key not in value:
                raise Mismatch("%s.%s: missing" % (path, key))
            else:
                match(want, value[key], "%s.%s" % (path, key))
        return
    if isinstance(pattern, list):
        if not isinstance(value, list) or len(value) != len(pattern):
            raise Mismatch("%s: expected %d elements, got %r"
                           % (path, len(pattern), value))
        for i, (p, v) in enumerate(zip(pattern, value)):
            match(p, v, "%s[%d]" % (path, i))
        return
    if type(pattern) is not type(value) and not (
            isinstance(pattern, (int, float)) and
            isinstance(value, (int, float)) and
            not isinstance(pattern, bool) and not isinstance(value, bool)):
        raise Mismatch("%s: expected %r, got %r" % (path, pattern, value))
    if pattern != value:
        raise Mismatch("%s: expected %r, got %r" % (path, pattern, value))


def load(path):
    steps = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            try:
                steps.append((n, json.loads(line)))
            except ValueError as e:
                raise AssertionError("%s:%d: not JSON: %s" % (path, n, e))
    return steps


def run_case(path):
    steps = load(path)
    opts = steps[0][1].get("server", {}) if steps else {}
    if opts:
        steps = steps[1:]
    name = os.path.basename(path)
    with Server(args=opts.get("args", ()), extra_env=opts.get("env")) as srv:
        for n, step in steps:
            where = "%s:%d" % (name, n)
            if "send" in step:
                srv.send(step["send"])
            elif "send_raw" in step:
                srv.send_raw(step["send_raw"].encode("utf-8") + b"\n")
            elif "expect" in step:
                msg = srv.recv()
                try:
                    match(step["expect"], msg)
                except Mismatch as e:
                    raise AssertionError("%s: %s (%s)" % (where, e, msg))
            elif "expect_raw" in step:
                line = srv.read_line().decode("utf-8")
                assert line == step["expect_raw"], \
                    "%s: expected %s, got %s" % (where, step["expect_raw"], line)
            elif step.get("expect_nothing"):
                assert srv.quiet(), "%s: unexpected output: %r" % (
                    where, srv.read_line())
            else:
                raise AssertionError("%s: unknown directive %r" % (where, step))
        reply = srv.request("ping", id="t-cases-final-ping")
        assert reply == {"jsonrpc": "2.0", "id": "t-cases-final-ping",
                         "result": {}}, "%s: final ping: %r" % (name, reply)
        assert srv.quiet(), "%s: output after the final ping" % name
        assert srv.close() == 0, "%s: exit status %r" % (name, srv.returncode)


def make_test(path):
    return lambda: run_case(path)


for _path in sorted(glob.glob(os.path.join(CASES, "*.jsonl"))):
    _name = os.path.basename(_path)[:-len(".jsonl")].replace("-", "_")
    globals()["test_" + _name] = make_test(_path)


if __name__ == "__main__":
    harness.main(globals())
