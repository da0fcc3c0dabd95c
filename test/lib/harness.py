"""A tiny TAP test runner: every function named test_* in the calling
module runs in definition order; each prints "ok N - name" or "not ok".
A test that cannot run here raises Skip("why"): "ok N - name # SKIP why".

    if __name__ == "__main__":
        harness.main(globals())
"""

import os
import sys
import time
import traceback


class Skip(Exception):
    """Raised by a test that cannot run here; the reason is reported."""


def main(scope):
    name = os.path.basename(scope.get("__file__", "tests"))
    tests = [(k, v) for k, v in scope.items()
             if k.startswith("test_") and callable(v)]
    only = os.environ.get("ONLY")
    if only:
        tests = [(k, v) for k, v in tests if only in k]
    setup, teardown = scope.get("setup_module"), scope.get("teardown_module")
    print("# %s" % name)
    print("1..%d" % len(tests))
    failed = 0
    if setup:
        setup()
    try:
        for n, (tname, fn) in enumerate(tests, 1):
            start = time.time()
            try:
                fn()
                print("ok %d - %s (%.2fs)" % (n, tname, time.time() - start))
            except Skip as why:
                print("ok %d - %s # SKIP %s" % (n, tname, why))
            except Exception:  # report every failure, keep going
                failed += 1
                print("not ok %d - %s" % (n, tname))
                for line in traceback.format_exc().splitlines():
                    print("#   " + line)
            sys.stdout.flush()
    finally:
        if teardown:
            teardown()
    sys.exit(1 if failed else 0)
