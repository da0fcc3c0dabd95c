#!/usr/bin/env python3
"""libcurl is loaded on the first request, not at start: a machine without
it still starts, lists its tools, and a call says which library is missing
and how to install it, not that the network failed. Simulated with an
LD_PRELOAD shim whose dlopen finds no libcurl."""
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
import harness  # noqa: E402
from fake import SharedFake  # noqa: E402
from mcp import Server, text_of  # noqa: E402

fake = SharedFake()
SHIM = r"""
#define _GNU_SOURCE
#include <dlfcn.h>
#include <string.h>
void *dlopen(const char *file, int mode)
{
	void *(*real)(const char *, int) =
		(void *(*)(const char *, int))dlsym(RTLD_NEXT, "dlopen");

	if (file && strstr(file, "libcurl"))
		return NULL;
	return real(file, mode);
}
"""


def build_shim():
    cc = shutil.which("cc") or shutil.which("gcc")
    if not cc:
        raise harness.Skip("no C compiler to build the dlopen shim")
    if os.environ.get("VALGRIND") == "1":
        raise harness.Skip("valgrind runs the server: LD_PRELOAD would "
                           "shim valgrind itself")
    d = tempfile.mkdtemp()
    src = os.path.join(d, "nocurl.c")
    with open(src, "w") as f:
        f.write(SHIM)
    so = os.path.join(d, "nocurl.so")
    subprocess.run([cc, "-shared", "-fPIC", "-o", so, src, "-ldl"],
                   check=True)
    return so


def test_a_missing_libcurl_is_named_with_its_package():
    so = build_shim()
    fake.reset()
    with Server(fake=fake, extra_env={"LD_PRELOAD": so}) as srv:
        srv.initialize()
        assert len(srv.list_tools()) > 50
        res = srv.call("list_all_gumloop_flows")
        assert res.get("isError"), res
        text = text_of(res)
        assert "libcurl is not installed" in text, text
        assert "apt-get install libcurl4" in text, text
        assert "network" not in text, text
        assert res["structuredContent"]["error"]["code"] == \
            "libcurl_missing", res
    assert not fake.requests()


if __name__ == "__main__":
    harness.main(globals())
