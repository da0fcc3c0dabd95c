#!/usr/bin/env python3
"""Packaging: make install / uninstall with PREFIX and DESTDIR, and the
.mcpb bundle for Claude Desktop."""
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
import harness  # noqa: E402
from mcp import REPO_ROOT  # noqa: E402


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


if __name__ == "__main__":
    harness.main(globals())
