#!/usr/bin/env python3
"""Packaging: make install / uninstall with PREFIX and DESTDIR, and the
.mcpb bundle for Claude Desktop."""
import os
import json
import shutil
import subprocess
import sys
import tempfile
import zipfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
import harness  # noqa: E402
from fake import Fake  # noqa: E402
from mcp import BINARY, REPO_ROOT, Server  # noqa: E402

BUNDLE = os.path.join(REPO_ROOT, "build", "gumloop-mcp.mcpb")
KEY = "sk-bundle-test-key"


def make(*args):
    p = subprocess.run(["make", "-s", "--no-print-directory", "-C", REPO_ROOT]
                       + list(args), capture_output=True, text=True)
    assert p.returncode == 0, (args, p.stdout, p.stderr)
    return p


def files_under(root):
    out = set()
    for d, _dirs, names in os.walk(root):
        for n in names:
            out.add(os.path.relpath(os.path.join(d, n), root))
    return out


def test_install_and_uninstall_honour_prefix_and_destdir():
    dest = tempfile.mkdtemp(prefix="gumloop-install.")
    try:
        make("install", "DESTDIR=" + dest, "PREFIX=/opt/glm")
        root = os.path.join(dest, "opt", "glm")
        files = files_under(root)
        assert "bin/gumloop-mcp" in files, files
        assert "share/man/man1/gumloop-mcp.1" in files, files
        doc = "share/doc/gumloop-mcp/"
        assert doc + "README.md" in files and doc + "LICENSE" in files
        examples = sorted(f for f in files if f.startswith(doc + "examples/"))
        wanted = files_under(os.path.join(REPO_ROOT, "examples"))
        assert {f[len(doc + "examples/"):] for f in examples} == wanted
        binary = os.path.join(root, "bin", "gumloop-mcp")
        assert os.stat(binary).st_mode & 0o777 == 0o755
        p = subprocess.run([binary, "--version"], capture_output=True,
                           text=True)
        assert p.returncode == 0 and p.stdout.startswith("gumloop-mcp "), p
        assert files_under(dest) == {os.path.join("opt/glm", f)
                                     for f in files}, "wrote outside PREFIX"
        make("uninstall", "DESTDIR=" + dest, "PREFIX=/opt/glm")
        assert files_under(dest) == set(), files_under(dest)
    finally:
        shutil.rmtree(dest)


def test_conformance_fixtures_stay_out_of_the_real_binary():
    names = tool_names()
    assert not [n for n in names if n.startswith("test_")
                or n == "json_schema_2020_12_tool"], names
    with open(BINARY, "rb") as f:
        data = f.read()
    for marker in (b"test://static-text", b"test_simple_prompt",
                   b"test_tool_with_progress"):
        assert marker not in data, marker


def tool_names(binary=BINARY, env=None):
    out = subprocess.run([binary, "--list-tools", "--json"], check=True,
                         capture_output=True, text=True,
                         env=env or {"PATH": "/usr/bin:/bin"}).stdout
    return [t["name"] for t in json.loads(out)]


def claude_desktop_launch(root, manifest, user_config):
    """command, args and env as Claude Desktop makes them from mcp_config:
    ${__dirname} and ${user_config.KEY} substituted."""
    def sub(v):
        v = v.replace("${__dirname}", root)
        for k, val in user_config.items():
            v = v.replace("${user_config.%s}" % k,
                          str(val).lower() if isinstance(val, bool) else val)
        return v
    cfg = manifest["server"]["mcp_config"]
    env = {k: sub(v) for k, v in cfg.get("env", {}).items()}
    return sub(cfg["command"]), [sub(a) for a in cfg.get("args", [])], env


def test_mcpb_bundle_installs_and_runs_like_claude_desktop_would():
    make("mcpb")
    root = tempfile.mkdtemp(prefix="gumloop-mcpb.")
    try:
        with zipfile.ZipFile(BUNDLE) as z:
            assert sorted(z.namelist()) == ["LICENSE", "README.md",
                                            "manifest.json",
                                            "server/gumloop-mcp"]
            mode = z.getinfo("server/gumloop-mcp").external_attr >> 16
            assert mode & 0o111, oct(mode)
            z.extractall(root)
        os.chmod(os.path.join(root, "server/gumloop-mcp"), mode & 0o777)
        with open(os.path.join(root, "manifest.json")) as f:
            m = json.load(f)
        version = subprocess.run([BINARY, "--version"], capture_output=True,
                                 text=True).stdout.split()[1]
        assert m["version"] == version and m["server"]["type"] == "binary"
        assert m["server"]["entry_point"] == "server/gumloop-mcp"
        assert [t["name"] for t in m["tools"]] == tool_names()
        uc = m["user_config"]
        assert uc["api_key"]["sensitive"] is True and uc["api_key"]["required"]
        assert uc["user_id"]["type"] == "string"
        assert uc["read_only"]["type"] == "boolean"
        assert "${" not in json.dumps({k: v for k, v in m.items()
                                       if k != "server"})
        with Fake(keys=[KEY]) as fake:
            for read_only in (False, True):
                cmd, args, env = claude_desktop_launch(root, m, {
                    "api_key": KEY, "user_id": "user-123",
                    "read_only": read_only})
                env.update(PATH="/usr/bin:/bin", GUMLOOP_BASE_URL=fake.base_url,
                           GUMLOOP_STREAM_BASE_URL=fake.stream_url)
                assert cmd.startswith(root)
                with Server(env=env, args=args, binary=cmd) as srv:
                    srv.initialize()
                    listed = [t["name"] for t in srv.list_tools()]
                    writes = "create_a_gumloop_flow_run" in listed
                    assert writes != read_only, (read_only, listed)
                    r = srv.call("list_all_gumloop_flows")
                    assert not r.get("isError"), r
                sent = fake.requests(path_prefix="/list_saved_items")[-1]
                assert sent["headers"]["authorization"] == "Bearer " + KEY
                assert sent["headers"]["x-auth-key"] == "user-123"
    finally:
        shutil.rmtree(root)


if __name__ == "__main__":
    harness.main(globals())
