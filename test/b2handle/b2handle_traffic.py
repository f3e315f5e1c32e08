#!/usr/bin/python3
"""Plays the HTTP traffic of B2HANDLE 1.2 (EUDATHandleClient) against the mock server with Python's
`requests`, byte for byte as the protocol reference (§5) describes it: one Session, `verify` = the CA
file, Basic auth as base64(quote(user) ":" quote(password)), JSON bodies from json.dumps with Python's
separators, the HS_ADMIN index sent as the string "200", client certificates via `cert=(cert, key)` with
`Authorization: Handle clientCert="true"`. B2HANDLE itself cannot be installed offline; this replays what
it sends and checks the answers with B2HANDLE's own predicates (hsresponses.py).

Usage: b2handle_traffic.py CRED_BASIC_JSON CRED_CERT_JSON → prints a JSON report; exit 1 on any failure.
"""
import base64
import json
import os
import sys
import uuid
from urllib.parse import quote

import requests


def handle_success(r):
    return r.status_code in (200, 201) and r.json().get("responseCode") == 1


def was_handle_created(r):
    return r.status_code == 201 and r.json().get("responseCode") == 1


def handle_not_found(r):
    return r.status_code == 404 and r.json().get("responseCode") == 100


def not_authenticated(r):
    if r.status_code == 401:
        return True
    try:
        return r.json().get("responseCode") == 402
    except ValueError:
        return False


def values_not_found(r):
    return r.status_code == 400 and r.json().get("responseCode") == 200


def basic(user, password):
    return "Basic " + base64.b64encode((quote(user) + ":" + quote(password)).encode("utf-8")).decode("ascii")


checks = []


class B2handleSession(requests.Session):
    """B2HANDLE passes `verify` with every request (which, unlike Session.verify, wins over a
    REQUESTS_CA_BUNDLE set in the environment)."""

    def __init__(self, verify, cert=None):
        super().__init__()
        self.b2handle_verify = verify
        self.b2handle_cert = cert

    def request(self, method, url, **kwargs):
        kwargs.setdefault("verify", self.b2handle_verify)
        if self.b2handle_cert:
            kwargs.setdefault("cert", self.b2handle_cert)
        return super().request(method, url, **kwargs)


def check(name, condition, detail=""):
    checks.append({"name": name, "ok": bool(condition), "detail": detail})


def main():
    basic_cred = json.load(open(sys.argv[1]))
    cert_cred = json.load(open(sys.argv[2]))
    base = os.path.dirname(os.path.abspath(sys.argv[2]))
    server = basic_cred["handle_server_url"].strip("/")
    api = server + "/" + "/api/handles/".strip("/")
    prefix = basic_cred["prefix"]
    session = B2handleSession(basic_cred["HTTPS_verify"])
    auth = basic(basic_cred["username"], basic_cred["password"])

    # instantiate_with_username_and_password: GET the user's handle, no Authorization.
    user_handle = basic_cred["username"].split(":", 1)[1]
    r = session.get(api + "/" + user_handle, headers={"Accept": "application/json"})
    check("the identity handle of the user exists (client construction)", handle_success(r) and r.json()["handle"] == user_handle, r.text[:200])

    # register_handle(h, location, checksum, additional_URLs, overwrite=False, **extratypes)
    handle = prefix + "/" + str(uuid.uuid4())
    r = session.get(api + "/" + handle, headers={"Accept": "application/json"})
    check("the pre-GET of a new handle is 404/100", handle_not_found(r), r.text[:200])
    values = {"values": [
        {"index": 100, "type": "HS_ADMIN", "data": {"value": {"index": "200", "handle": "0.NA/" + prefix, "permissions": "011111110011"}, "format": "admin"}},
        {"index": 1, "type": "URL", "data": "http://foo.bar"},
        {"index": 2, "type": "CHECKSUM", "data": "123456"},
        {"index": 3, "type": "FOO", "data": "foo"},
        {"index": 4, "type": "10320/LOC", "data": "<locations><location href=\"http://bar.bar\" id=\"0\" /></locations>"},
    ]}
    r = session.put(api + "/" + handle + "?overwrite=false", data=json.dumps(values), headers={"Authorization": auth, "Content-Type": "application/json"}, allow_redirects=False)
    check("register_handle: PUT ?overwrite=false creates (201/1)", was_handle_created(r) and r.json()["handle"] == handle, r.text[:200])

    # retrieve_handle_record_json
    r = session.get(api + "/" + handle, headers={"Accept": "application/json"})
    record = r.json()
    admin = [v for v in record["values"] if v["type"] == "HS_ADMIN"][0]
    check("the record reads back with HS_ADMIN index 200 as a number", handle_success(r) and admin["data"]["value"]["index"] == 200, r.text[:300])

    # modify_handle_value(h, FOO="new", BAR="bar"): changed + new values, ?index=..&overwrite=true
    foo = [v for v in record["values"] if v["type"] == "FOO"][0]
    foo = dict(foo)
    foo["data"] = "new"
    foo.pop("timestamp", None)
    body = {"values": [foo, {"index": 5, "type": "BAR", "data": "bar"}]}
    r = session.put(api + "/" + handle + "?index=3&index=5&overwrite=true", data=json.dumps(body), headers={"Authorization": auth, "Content-Type": "application/json"}, allow_redirects=False)
    check("modify_handle_value: PUT ?index=3&index=5 succeeds with 200 (an index was replaced)", handle_success(r) and r.status_code == 200, r.text[:200])

    # add_additional_URL: the whole record as returned by GET (timestamps included), LOC moved to the end.
    r = session.get(api + "/" + handle, headers={"Accept": "application/json"})
    full = [v for v in r.json()["values"] if v["type"] != "10320/LOC"]
    full.append({"index": 4, "type": "10320/LOC", "data": "<locations><location href=\"http://bar.bar\" id=\"0\" /><location href=\"http://foo.foo\" id=\"1\" /></locations>", "ttl": 86400})
    r = session.put(api + "/" + handle + "?overwrite=true", data=json.dumps({"values": full}), headers={"Authorization": auth, "Content-Type": "application/json"}, allow_redirects=False)
    check("add_additional_URL: full-record PUT ?overwrite=true replaces (200/1)", handle_success(r) and r.status_code == 200, r.text[:200])

    # delete_handle_value(h, "BAR") and of a value that is gone
    r = session.delete(api + "/" + handle + "?index=5", headers={"Authorization": auth})
    check("delete_handle_value: DELETE ?index=5 succeeds", handle_success(r), r.text[:200])
    r = session.delete(api + "/" + handle + "?index=5", headers={"Authorization": auth})
    check("deleting an absent index is values-not-found (400/200)", values_not_found(r), r.text[:200])

    # search_handle(URL="http://foo.*"): realm credentials, quoted as B2HANDLE quotes them
    search_auth = basic(basic_cred["reverselookup_username"], basic_cred["reverselookup_password"])
    r = session.get(server + "/hrls/handles?CHECKSUM=123456", headers={"Authorization": search_auth})
    check("search_handle: GET /hrls/handles?CHECKSUM= finds the handle", r.status_code == 200 and handle.upper() in r.json(), r.text[:300])

    # a write without credentials and a wrong password
    r = session.put(api + "/" + handle + "?overwrite=true", data=json.dumps(values), headers={"Content-Type": "application/json"}, allow_redirects=False)
    check("a PUT without credentials is not_authenticated", not_authenticated(r), r.text[:200])
    r = session.put(api + "/" + handle + "?overwrite=true", data=json.dumps(values), headers={"Authorization": basic(basic_cred["username"], "wrong"), "Content-Type": "application/json"}, allow_redirects=False)
    check("a wrong password is not_authenticated (401, empty body)", r.status_code == 401 and r.text == "", r.text[:200])

    # the client-certificate variant (requests cert=(cert, key), Authorization: Handle clientCert="true")
    cert_session = B2handleSession(cert_cred["HTTPS_verify"], (os.path.join(base, cert_cred["certificate_only"]), os.path.join(base, cert_cred["private_key"])))
    cert_handle = prefix + "/" + str(uuid.uuid4())
    r = cert_session.put(api + "/" + cert_handle + "?overwrite=true", data=json.dumps(values), headers={"Authorization": 'Handle clientCert="true"', "Content-Type": "application/json"}, allow_redirects=False)
    check("register with a client certificate creates (201/1)", was_handle_created(r), r.text[:200])
    r = cert_session.delete(api + "/" + cert_handle, headers={"Authorization": 'Handle clientCert="true"'})
    check("delete_handle with a client certificate succeeds", handle_success(r), r.text[:200])

    # delete_handle
    r = session.delete(api + "/" + handle, headers={"Authorization": auth})
    check("delete_handle succeeds", handle_success(r), r.text[:200])
    r = session.get(api + "/" + handle, headers={"Accept": "application/json"})
    check("the deleted handle is gone (404/100)", handle_not_found(r), r.text[:200])

    ok = all(c["ok"] for c in checks)
    print(json.dumps({"ok": ok, "checks": checks}))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
