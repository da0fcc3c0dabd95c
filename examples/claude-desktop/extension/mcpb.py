#!/usr/bin/env python3
"""Builds the Claude Desktop extension bundle (make mcpb):

    python3 examples/claude-desktop/extension/mcpb.py BINARY OUTPUT.mcpb

A .mcpb is a zip: manifest.json (the one beside this script, with the version,
the tool list and the platform filled in from the binary itself),
server/gumloop-mcp, README.md and LICENSE. The binary is the one built
here, so the bundle is for the platform and processor it was built for, read
from the binary's own header; its shared libraries (cJSON, mbedTLS, libcurl)
must be installed where it runs. Claude Desktop runs on macOS and Windows: a
bundle for it is built on a Mac (after brew install cjson mbedtls); on
Windows the server runs in WSL, configured by hand, not as a bundle.
"""
import json
import os
import struct
import subprocess
import sys
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
CLEAN_ENV = {"PATH": "/usr/bin:/bin"}
ELF_MACHINES = {3: "x86", 40: "arm", 62: "x86_64", 183: "arm64",
                243: "riscv64"}
MACHO_CPUS = {7: "x86", 0x01000007: "x86_64", 12: "arm",
              0x0100000c: "arm64"}


def binary_platform(binary):
    """(platform, processor) of an executable, from its header: "linux"
    for ELF, "darwin" for Mach-O (a universal binary names its first
    slice), "win32" for PE."""
    with open(binary, "rb") as f:
        head = f.read(64)
    if head[:4] == b"\x7fELF":
        order = "<" if head[5] == 1 else ">"
        machine = struct.unpack(order + "H", head[18:20])[0]
        return "linux", ELF_MACHINES.get(machine, "machine %d" % machine)
    if head[:4] in (b"\xcf\xfa\xed\xfe", b"\xce\xfa\xed\xfe"):
        cpu = struct.unpack("<I", head[4:8])[0]
        return "darwin", MACHO_CPUS.get(cpu, "cpu %#x" % cpu)
    if head[:4] == b"\xca\xfe\xba\xbe":
        cpu = struct.unpack(">I", head[8:12])[0]
        return "darwin", "universal, " + MACHO_CPUS.get(cpu, "cpu %#x" % cpu)
    if head[:2] == b"MZ":
        return "win32", "pe"
    sys.exit("mcpb: %s is not an executable this script knows" % binary)


def run(binary, *args):
    return subprocess.run([binary] + list(args), capture_output=True,
                          text=True, check=True, env=CLEAN_ENV).stdout


def manifest(binary):
    with open(os.path.join(HERE, "manifest.json")) as f:
        m = json.load(f)
    m["version"] = run(binary, "--version").split()[1]
    m["tools"] = [{"name": t["name"], "description": t["description"]}
                  for t in json.loads(run(binary, "--list-tools", "--json"))]
    m["compatibility"]["platforms"] = [binary_platform(binary)[0]]
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
    plat, cpu = binary_platform(binary)
    print("mcpb: %s (gumloop-mcp %s, %d tools), for %s on %s only" % (
        out, m["version"], len(m["tools"]), plat, cpu))
    if plat != "darwin":
        print("mcpb: Claude Desktop runs on macOS and Windows: for it, build "
              "the bundle on a Mac (brew install cjson mbedtls; make mcpb); "
              "on Windows, run the server in WSL (see the README)",
              file=sys.stderr)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: mcpb.py BINARY OUTPUT.mcpb")
    build(sys.argv[1], sys.argv[2])
