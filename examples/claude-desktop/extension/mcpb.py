#!/usr/bin/env python3
"""Builds the Claude Desktop extension bundle (make mcpb):

    python3 examples/claude-desktop/extension/mcpb.py BINARY OUTPUT.mcpb

A .mcpb is a zip: manifest.json (the one beside this script, with the version,
the tool list and the platform filled in from the binary itself),
server/gumloop-mcp, README.md and LICENSE. The binary is the one built
here, so the bundle is for this platform; its shared libraries (cJSON,
mbedTLS, libcurl) must be installed where it runs.
"""
import json
import os
import platform
import subprocess
import sys
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
PLATFORMS = {"Linux": "linux", "Darwin": "darwin", "Windows": "win32"}
CLEAN_ENV = {"PATH": "/usr/bin:/bin"}


def run(binary, *args):
    return subprocess.run([binary] + list(args), capture_output=True,
                          text=True, check=True, env=CLEAN_ENV).stdout


def manifest(binary):
    with open(os.path.join(HERE, "manifest.json")) as f:
        m = json.load(f)
    m["version"] = run(binary, "--version").split()[1]
    m["tools"] = [{"name": t["name"], "description": t["description"]}
                  for t in json.loads(run(binary, "--list-tools", "--json"))]
    m["compatibility"]["platforms"] = [PLATFORMS[platform.system()]]
    return m


def add(z, name, data, mode=0o644):
    info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
    info.external_attr = (0o100000 | mode) << 16    # a regular file, mode
    info.compress_type = zipfile.ZIP_DEFLATED
    z.writestr(info, data)


def build(binary, out):
    m = manifest(binary)
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    tmp = out + ".tmp"
    with zipfile.ZipFile(tmp, "w") as z:
        add(z, "manifest.json", json.dumps(m, indent=2) + "\n")
        with open(binary, "rb") as f:
            add(z, "server/gumloop-mcp", f.read(), 0o755)
        for doc in ("README.md", "LICENSE"):
            with open(os.path.join(ROOT, doc), "rb") as f:
                add(z, doc, f.read())
    os.replace(tmp, out)
    print("mcpb: %s (gumloop-mcp %s, %d tools, %s)" % (
        out, m["version"], len(m["tools"]), m["compatibility"]["platforms"][0]))


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: mcpb.py BINARY OUTPUT.mcpb")
    build(sys.argv[1], sys.argv[2])
