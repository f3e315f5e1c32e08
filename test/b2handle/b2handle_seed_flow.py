#!/usr/bin/python3
"""The seed lesson's whole B2HANDLE 1.2 flow, replayed with Python's `requests` as B2HANDLE sends it, from
whatever folder it is started in: credentials file paths are handed to `requests` unchanged, exactly as
B2HANDLE's instantiate_with_credentials does, so relative key paths would break from another folder.

register (GET then PUT ?overwrite=false), re-register (the GET finds it: HandleAlreadyExistsException),
download through the resolver and md5 of the bytes, modify_handle_value TYPE/CHECKSUM (new indexes from 2,
skipping 1 and 100-199), URL update, REPLICA to a second PID, search_handle CHECKSUM=<md5> and URL=irods:*,
add_additional_URL (10320/LOC, a full-record PUT) and the resolver's choice, delete.

Usage: b2handle_seed_flow.py CRED_JSON → prints a JSON report; exit 1 on any failure.
"""
import base64
import hashlib
import json
import os
import sys
import uuid
from urllib.parse import quote

import requests

from b2handle_traffic import B2handleSession  # B2HANDLE's per-request verify/cert, shared with the traffic replay

checks = []


def check(name, condition, detail=""):
    checks.append({"name": name, "ok": bool(condition), "detail": detail})


def success(r):
    return r.status_code in (200, 201) and r.json().get("responseCode") == 1


def basic(user, password):
    return "Basic " + base64.b64encode((quote(user) + ":" + quote(password)).encode("utf-8")).decode("ascii")


def next_index(values):
    used = {v["index"] for v in values}
    index = 2
    while index in used or index == 1 or 100 <= index < 200:
        index += 1
    return index


def main():
    cred_path = sys.argv[1]
    cred = json.load(open(cred_path))
    check("started outside the credentials folder", os.path.realpath(os.getcwd()) != os.path.realpath(os.path.dirname(os.path.abspath(cred_path))), os.getcwd())
    server = cred["handle_server_url"].strip("/")
    api = server + "/api/handles"
    prefix = cred["prefix"]
    if "username" in cred:
        session = B2handleSession(cred["HTTPS_verify"])
        write_auth = {"Authorization": basic(cred["username"], cred["password"])}
        r = session.get(api + "/" + cred["username"].split(":", 1)[1], headers={"Accept": "application/json"})
        check("the identity handle of the user exists (client construction)", success(r), r.text[:200])
    else:
        # The paths go to requests exactly as written in the file: this is what fails with relative paths.
        session = B2handleSession(cred["HTTPS_verify"], (cred["certificate_only"], cred["private_key"]))
        write_auth = {"Authorization": 'Handle clientCert="true"'}
    owner_index, owner_handle = cred["handleowner"].split(":", 1)
    json_headers = dict(write_auth, **{"Content-Type": "application/json"})

    def get_record(handle):
        return session.get(api + "/" + handle, headers={"Accept": "application/json"}).json()

    def register(handle, location):
        r = session.get(api + "/" + handle, headers={"Accept": "application/json"})
        if r.status_code == 200:
            return "exists", r
        entries = [
            {"index": 100, "type": "HS_ADMIN", "data": {"value": {"index": owner_index, "handle": owner_handle, "permissions": "011111110011"}, "format": "admin"}},
            {"index": 1, "type": "URL", "data": location},
        ]
        return "put", session.put(api + "/" + handle + "?overwrite=false", data=json.dumps({"values": entries}), headers=json_headers, allow_redirects=False)

    def modify(handle, **pairs):
        values = get_record(handle)["values"]
        changed = []
        for key, value in pairs.items():
            entry = next((dict(v) for v in values if v["type"] == key), None)
            if entry is None:
                entry = {"index": next_index(values + changed), "type": key, "data": value}
            else:
                entry["data"] = value
                entry.pop("timestamp", None)
            changed.append(entry)
        query = "&".join("index=" + str(e["index"]) for e in changed)
        return session.put(api + "/" + handle + "?" + query + "&overwrite=true", data=json.dumps({"values": changed}), headers=json_headers, allow_redirects=False)

    def value_of(record, type_name):
        return next((v["data"]["value"] for v in record["values"] if v["type"] == type_name), None)

    file_url = server + "/files/surveys.csv"
    handle = prefix + "/" + str(uuid.uuid4())
    kind, r = register(handle, file_url)
    check("register_handle creates the PID (201/1)", kind == "put" and r.status_code == 201 and r.json().get("handle") == handle, r.text[:200])
    kind, r = register(handle, file_url)
    check("registering it again finds it first (HandleAlreadyExistsException, no PUT)", kind == "exists" and success(r), r.text[:200])

    r = session.get(server + "/" + handle)
    direct = session.get(file_url)
    checksum = hashlib.md5(r.content).hexdigest()
    check("the file downloads through the resolver, same bytes as the file itself", r.status_code == 200 and len(r.content) > 0 and checksum == hashlib.md5(direct.content).hexdigest(), str(r.status_code))

    r = modify(handle, TYPE="file", CHECKSUM=checksum)
    record = get_record(handle)
    check("modify_handle_value adds TYPE and CHECKSUM", success(r) and value_of(record, "TYPE") == "file" and value_of(record, "CHECKSUM") == checksum, r.text[:200])

    moved = "file:///home/trainee/data/surveys.csv"
    r = modify(handle, URL=moved)
    redirect = session.get(server + "/" + handle, allow_redirects=False)
    check("the URL update replaces URL@1 and the resolver follows it", success(r) and r.status_code == 200 and value_of(get_record(handle), "URL") == moved and redirect.headers.get("location") == moved, r.text[:200] + " " + str(redirect.headers.get("location")))

    replica = prefix + "/" + str(uuid.uuid4())
    kind, r2 = register(replica, file_url)
    r = modify(handle, REPLICA=replica)
    check("a second PID for the public copy, linked as REPLICA", kind == "put" and r2.status_code == 201 and success(r) and value_of(get_record(handle), "REPLICA") == replica, r.text[:200])

    search_auth = {"Authorization": basic(cred["reverselookup_username"], cred["reverselookup_password"])}
    r = session.get(server + "/hrls/handles?CHECKSUM=" + checksum, headers=search_auth)
    hits = r.json() if r.status_code == 200 else []
    first_url = value_of(get_record(hits[0]), "URL") if hits else None
    check("search_handle(CHECKSUM=md5) finds the PID and its URL", handle.upper() in [h.upper() for h in hits] and first_url == moved, r.text[:300])
    r = session.get(server + "/hrls/handles?URL=irods:*", headers=search_auth)
    hits = r.json() if r.status_code == 200 else []
    check("search_handle(URL='irods:*') lists B2SAFE's PIDs", len(hits) > 0 and all(str(value_of(get_record(h), "URL")).startswith("irods:") for h in hits[:3]), r.text[:300])

    mirror = "https://mirror.example.org/surveys.csv"
    values = [v for v in get_record(handle)["values"]]
    loc = {"index": next_index(values), "type": "10320/LOC", "data": '<locations><location href="%s" id="0" /></locations>' % mirror}
    r = session.put(api + "/" + handle + "?overwrite=true", data=json.dumps({"values": values + [loc]}), headers=json_headers, allow_redirects=False)
    redirect = session.get(server + "/" + handle, allow_redirects=False)
    check("add_additional_URL writes 10320/LOC, which the resolver prefers over URL", success(r) and r.status_code == 200 and mirror in str(value_of(get_record(handle), "10320/LOC")) and redirect.headers.get("location") == mirror, r.text[:200] + " " + str(redirect.headers.get("location")))

    for h in (handle, replica):
        r = session.delete(api + "/" + h, headers=write_auth)
        check("delete_handle " + ("(first)" if h == handle else "(replica)"), success(r), r.text[:200])

    ok = all(c["ok"] for c in checks)
    print(json.dumps({"ok": ok, "checks": checks}))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
