#!/usr/bin/env python3
"""Rate limits through the real binary: 429 and 503 carry retry_after and
the normalized ratelimit from either header spelling and from an HTTP-date
Retry-After; reads retry by themselves at most twice and only when
Retry-After is at most 10 s (the fake counts the attempts); writes never
retry and say so."""
import os
import sys
import time
from email.utils import formatdate

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
import harness  # noqa: E402
from fake import SharedFake  # noqa: E402
from mcp import Server, structured, text_of  # noqa: E402

fake = SharedFake(run_ms=200, queue_ms=20)
LIST = "/api/v1/list_saved_items"
KILL = "/api/v1/kill_pipeline"


def server():
    fake.reset()
    srv = Server(fake=fake)
    srv.initialize()
    return srv


def limited(path, status=429, times=1, **headers):
    fake.fault(path=path, status=status, times=times, headers=headers,
               body='{"error":{"code":"rate_limited","message":"slow down"}}')


def attempts(path):
    return len(fake.requests(path_prefix=path))


def test_both_header_spellings_are_normalized():
    with server() as srv:
        limited(KILL, **{"Retry-After": "7", "RateLimit-Limit": "100",
                         "RateLimit-Remaining": "0", "RateLimit-Reset": "7"})
        err = structured(srv.call("kill_a_gumloop_flow_run",
                                  {"run_id": "r1"}))["error"]
        assert err["retry_after"] == 7, err
        assert err["ratelimit"] == {"limit": 100, "remaining": 0, "reset": 7}
        assert err["code"] == "rate_limited" and err["status"] == 429
        limited(KILL, status=503, **{"retry-after": "30",
                                     "X-RateLimit-Limit": "60",
                                     "x-ratelimit-remaining": "3",
                                     "X-RATELIMIT-RESET": "1700000000"})
        err = structured(srv.call("kill_a_gumloop_flow_run",
                                  {"run_id": "r2"}))["error"]
        assert err["status"] == 503 and err["retry_after"] == 30, err
        assert err["ratelimit"] == {"limit": 60, "remaining": 3,
                                    "reset": 1700000000}, err


def test_http_date_retry_after():
    with server() as srv:
        later = formatdate(time.time() + 3600, usegmt=True)
        limited(KILL, **{"Retry-After": later})
        err = structured(srv.call("kill_a_gumloop_flow_run",
                                  {"run_id": "r1"}))["error"]
        assert 3000 < err["retry_after"] <= 3600, err
        assert "ratelimit" not in err
        limited(KILL, **{"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"})
        err = structured(srv.call("kill_a_gumloop_flow_run",
                                  {"run_id": "r2"}))["error"]
        assert err["retry_after"] == 0, err


def test_reads_retry_at_most_twice():
    with server() as srv:
        limited(LIST, times=1, **{"Retry-After": "0"})
        res = srv.call("list_all_gumloop_flows")
        assert not res.get("isError"), res
        assert attempts(LIST) == 2
    with server() as srv:
        limited(LIST, status=503, times=2, **{"Retry-After": "0"})
        res = srv.call("list_all_gumloop_flows")
        assert not res.get("isError"), res
        assert attempts(LIST) == 3
    with server() as srv:
        limited(LIST, times=-1, **{"Retry-After": "0"})
        res = srv.call("list_all_gumloop_flows")
        assert res["isError"] and structured(res)["error"]["status"] == 429
        assert attempts(LIST) == 3
        assert "not retried" not in text_of(res)
        assert "Retry after" in text_of(res), text_of(res)


def test_reads_retry_on_an_http_date_that_has_passed():
    with server() as srv:
        limited(LIST, **{"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"})
        assert not srv.call("list_all_gumloop_flows").get("isError")
        assert attempts(LIST) == 2


def test_reads_do_not_retry_a_long_or_missing_retry_after():
    with server() as srv:
        limited(LIST, times=-1, **{"Retry-After": "11"})
        res = srv.call("list_all_gumloop_flows")
        assert structured(res)["error"]["retry_after"] == 11
        assert attempts(LIST) == 1
    with server() as srv:
        limited(LIST, times=-1)
        res = srv.call("list_all_gumloop_flows")
        err = structured(res)["error"]
        assert "retry_after" not in err, err
        assert attempts(LIST) == 1
        assert "in a little while" in text_of(res), text_of(res)


def test_writes_never_retry_and_say_so():
    with server() as srv:
        for status in (429, 503):
            fake.reset()
            limited(KILL, status=status, times=-1, **{"Retry-After": "0"})
            res = srv.call("kill_a_gumloop_flow_run", {"run_id": "r1"})
            text = text_of(res)
            assert res["isError"], res
            assert structured(res)["error"]["status"] == status
            assert "not retried automatically" in text, text
            assert "Retry after 0 s" in text, text
            assert attempts(KILL) == 1


if __name__ == "__main__":
    harness.main(globals())
