#!/usr/bin/python3
"""The B2HANDLE peer for `npm run bench`: registers COUNT handles one after the other exactly as
B2HANDLE 1.2's register_handle does (a GET that must be 404, then PUT ?overwrite=false with HS_ADMIN,
URL and CHECKSUM), using the session and Basic header of test/b2handle/b2handle_traffic.py.

Usage: b2handle_register.py CRED_BASIC_JSON COUNT → prints {"count", "seconds", "failed"} as JSON.
"""
import json
import os
import sys
import time
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "b2handle"))
from b2handle_traffic import B2handleSession, basic  # noqa: E402


def main():
    cred = json.load(open(sys.argv[1]))
    count = int(sys.argv[2])
    api = cred["handle_server_url"].strip("/") + "/api/handles"
    prefix = cred["prefix"]
    session = B2handleSession(cred["HTTPS_verify"])
    auth = basic(cred["username"], cred["password"])
    failed = 0
    started = time.perf_counter()
    for i in range(count):
        handle = prefix + "/" + str(uuid.uuid4())
        r = session.get(api + "/" + handle, headers={"Accept": "application/json"})
        if r.status_code != 404:
            failed += 1
            continue
        values = {"values": [
            {"index": 100, "type": "HS_ADMIN", "data": {"value": {"index": "200", "handle": "0.NA/" + prefix, "permissions": "011111110011"}, "format": "admin"}},
            {"index": 1, "type": "URL", "data": "https://repo.example.org/b2handle/%d" % i},
            {"index": 2, "type": "CHECKSUM", "data": "sha256:%064x" % i},
        ]}
        r = session.put(api + "/" + handle + "?overwrite=false", data=json.dumps(values), headers={"Authorization": auth, "Content-Type": "application/json"}, allow_redirects=False)
        if r.status_code != 201:
            failed += 1
    print(json.dumps({"count": count, "seconds": time.perf_counter() - started, "failed": failed}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
