#!/usr/bin/env python3
"""Packaging: make install / uninstall with PREFIX and DESTDIR, the .deb
(contents, Depends from the libraries really used), the source tarball of
make dist (it builds, with LINK_CURL=1, and its Homebrew formula names it),
the .mcpb bundle for Claude Desktop (for the platform it was built on), and
the GitHub workflow (valid YAML that runs make check)."""
import glob
import hashlib
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tarfile
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


def test_make_only_builds_and_the_test_targets_see_to_their_packages():
    """Plain make, make install, deb and dist never run a package manager;
    check and demo run test/ensure-deps.sh before anything else."""
    def plan(*goals):
        return subprocess.run(["make", "-n", "-B", "--no-print-directory",
                               "-C", REPO_ROOT] +
                              list(goals), capture_output=True,
                              text=True).stdout
    for goals in ([], ["install", "PREFIX=/tmp/x"], ["mcpb"], ["deb"],
                  ["dist"]):
        out = plan(*goals)
        assert "gumloop-mcp" in out, (goals, out)
        for word in ("ensure-deps", "apt-get", "dpkg-query", "brew "):
            assert word not in out, (goals, word)
    for goal in ("check", "demo"):
        first = plan(goal).splitlines()[0]
        assert first == "./test/ensure-deps.sh", (goal, first)


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
    said = make("mcpb")
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
        # honest about where it runs: this host's platform and processor
        host = {"linux": "linux", "darwin": "darwin"}[sys.platform]
        assert m["compatibility"]["platforms"] == [host], m["compatibility"]
        assert "for %s on " % host in said.stdout, said.stdout
        if platform.machine() == "x86_64":
            assert "on x86_64 only" in said.stdout, said.stdout
        if host != "darwin":
            assert "Claude Desktop runs on macOS and Windows" in said.stderr
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


def need(*tools):
    for t in tools:
        if not shutil.which(t):
            raise harness.Skip("%s is not installed" % t)


def version():
    return subprocess.run([BINARY, "--version"], capture_output=True,
                          text=True, check=True).stdout.split()[1]


# What lists the libraries a binary names: otool on macOS, else objdump.
LISTER = "otool" if sys.platform == "darwin" else "objdump"


def needed_libraries(binary):
    """The libraries a binary names, in order: ELF's NEEDED sonames, or the
    file names of a Mach-O's load commands."""
    if LISTER == "otool":
        out = subprocess.run(["otool", "-L", binary], capture_output=True,
                             text=True, check=True).stdout
        return [os.path.basename(l.split()[0])
                for l in out.splitlines()[1:] if l.strip()]
    out = subprocess.run(["objdump", "-p", binary], capture_output=True,
                         text=True, check=True).stdout
    return re.findall(r"^\s*NEEDED\s+(\S+)$", out, re.M)


def owning_package(path_glob):
    p = subprocess.run(["dpkg", "-S", path_glob], capture_output=True,
                       text=True)
    names = re.findall(r"^([^:\s]+)(?::\S+)?: /", p.stdout, re.M)
    return names[0] if names else None


def test_deb_holds_binary_man_page_examples_and_depends_on_its_libraries():
    need("dpkg-deb", "dpkg-shlibdeps", "dpkg-architecture", "objdump")
    arch = subprocess.run(["dpkg", "--print-architecture"], check=True,
                          capture_output=True, text=True).stdout.strip()
    said = make("deb")
    deb = os.path.join(REPO_ROOT, "build",
                       "gumloop-mcp_%s_%s.deb" % (version(), arch))
    assert os.path.exists(deb), (deb, said.stdout)
    field = lambda f: subprocess.run(["dpkg-deb", "-f", deb, f], check=True,
                                     capture_output=True,
                                     text=True).stdout.strip()
    assert field("Package") == "gumloop-mcp"
    assert field("Version") == version() and field("Architecture") == arch
    root = tempfile.mkdtemp(prefix="gumloop-deb.")
    try:
        subprocess.run(["dpkg-deb", "-x", deb, root], check=True)
        files = files_under(root)
        doc = "usr/share/doc/gumloop-mcp/"
        assert "usr/bin/gumloop-mcp" in files, files
        assert "usr/share/man/man1/gumloop-mcp.1.gz" in files, files
        assert doc + "copyright" in files and doc + "README.md" in files
        shipped = {f[len(doc + "examples/"):] for f in files
                   if f.startswith(doc + "examples/")}
        assert shipped == files_under(os.path.join(REPO_ROOT, "examples"))
        binary = os.path.join(root, "usr/bin/gumloop-mcp")
        assert os.stat(binary).st_mode & 0o777 == 0o755
        p = subprocess.run([binary, "--version"], capture_output=True,
                           text=True)
        assert p.stdout.strip() == "gumloop-mcp " + version(), p
        # Depends: every library the binary names, by the package that
        # ships it here, and libcurl's, which it loads on first use
        depends = [alt.strip() for alt in field("Depends").split(",")]
        names = [[a.split()[0] for a in d.split("|")] for d in depends]
        multiarch = subprocess.run(["dpkg-architecture",
                                    "-qDEB_HOST_MULTIARCH"], check=True,
                                   capture_output=True, text=True).stdout
        for lib in needed_libraries(binary) + ["libcurl.so.4"]:
            pkg = owning_package("*/%s/%s" % (multiarch.strip(), lib))
            assert pkg, lib
            assert any(pkg in alts for alts in names), (lib, pkg, depends)
        assert "libcurl.so.4" not in needed_libraries(binary)
        assert any(a.startswith("libz") or a.startswith("zlib")
                   for alts in names for a in alts), depends
    finally:
        shutil.rmtree(root)


def test_dist_tarball_builds_with_libcurl_linked_and_its_formula_names_it():
    need("git", LISTER)
    if subprocess.run(["git", "-C", REPO_ROOT, "rev-parse"],
                      capture_output=True).returncode:
        raise harness.Skip("not a git checkout: make dist lists git's files")
    make("dist")
    name = "gumloop-mcp-%s" % version()
    tarball = os.path.join(REPO_ROOT, "build", name + ".tar.gz")
    with tarfile.open(tarball) as t:
        members = t.getnames()
        assert all(m == name or m.startswith(name + "/") for m in members)
        tracked = subprocess.run(["git", "ls-files"], cwd=REPO_ROOT,
                                 check=True, capture_output=True,
                                 text=True).stdout.split()
        assert {m[len(name) + 1:] for m in members if t.getmember(m).isfile()
                } == set(tracked)
        tmp = tempfile.mkdtemp(prefix="gumloop-dist.")
        try:
            t.extractall(tmp)
            src = os.path.join(tmp, name)
            p = subprocess.run(["make", "-j2", "-C", src, "LINK_CURL=1",
                                "CFLAGS=-O1", "gumloop-mcp"],
                               capture_output=True, text=True)
            assert p.returncode == 0, p.stderr[-3000:]
            built = os.path.join(src, "gumloop-mcp")
            assert any(lib.startswith("libcurl")
                       for lib in needed_libraries(built)), \
                needed_libraries(built)
            with Fake(keys=[KEY]) as fake:
                env = {"PATH": "/usr/bin:/bin", "GUMLOOP_API_KEY": KEY,
                       "GUMLOOP_USER_ID": "user-123",
                       "GUMLOOP_BASE_URL": fake.base_url,
                       "GUMLOOP_STREAM_BASE_URL": fake.stream_url}
                with Server(env=env, binary=built) as srv:
                    srv.initialize()
                    r = srv.call("list_all_gumloop_flows")
                    assert not r.get("isError"), r
        finally:
            shutil.rmtree(tmp)
    with open(tarball, "rb") as f:
        sha = hashlib.sha256(f.read()).hexdigest()
    with open(os.path.join(REPO_ROOT, "build", "gumloop-mcp.rb")) as f:
        formula = f.read()
    assert "@" not in re.sub(r"#.*", "", formula), formula
    assert 'sha256 "%s"' % sha in formula
    assert 'url "file://%s"' % tarball in formula
    assert re.search(r'system "make".*"PREFIX=#\{prefix\}", "install"',
                     formula)


def test_github_workflow_is_yaml_that_runs_make_check_on_ubuntu_and_macos():
    path = os.path.join(REPO_ROOT, ".github", "workflows", "ci.yml")
    with open(path) as f:
        text = f.read()
    assert "\t" not in text
    try:
        import yaml
    except ImportError:
        raise harness.Skip("python3 has no yaml module")
    doc = yaml.safe_load(text)
    systems = {}
    for job in doc["jobs"].values():
        runs = " ".join(s.get("run", "") for s in job["steps"])
        systems[job["runs-on"]] = runs
    assert "ubuntu-24.04" in systems, systems
    mac = [k for k in systems if k.startswith("macos")]
    assert mac, systems
    for os_name, runs in systems.items():
        assert "make check" in runs, (os_name, runs)
    assert "brew install" in systems[mac[0]]
    for formula in ("cjson", "mbedtls", "curl"):
        assert formula in systems[mac[0]], formula


if __name__ == "__main__":
    harness.main(globals())
