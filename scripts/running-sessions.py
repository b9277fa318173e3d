#!/usr/bin/env python3
"""Writes N clients through a running server's API, each with an intake, consent, an assigned roller and a
running session (ids 1..N), for the load scripts (scripts/bench-server.sh, scripts/soak.sh).

usage: running-sessions.py BASE_URL API_KEY N INTAKE_JSON ID_PREFIX NAME_PREFIX LOT
"""
import datetime
import http.client
import json
import sys
import urllib.parse

base, key, n, intake_path, id_prefix, name_prefix, lot = sys.argv[1:8]
n = int(n)
u = urllib.parse.urlparse(base)
conn = http.client.HTTPConnection(u.hostname, u.port)


def post(path, body):
    conn.request("POST", path, json.dumps(body), {"Content-Type": "application/json", "Authorization": "Bearer " + key})
    r = conn.getresponse()
    data = r.read()
    if r.status >= 300:
        sys.exit(f"{path}: {r.status} {data[:300]!r}")
    return json.loads(data) if data else None


today = datetime.datetime.now(datetime.timezone.utc).date()
template = json.load(open(intake_path))
for i in range(1, n + 1):
    cid = f"{id_prefix}-{i:05d}"
    name = f"{name_prefix} {i}"
    post("/api/v1/clients", {"id": cid, "name": name})
    doc = dict(template)
    doc["client"] = {"id": cid, "name": name, "date_of_birth": "1988-03-14"}
    doc["date"] = today.isoformat()
    doc["dermatologist_clearance"] = dict(template["dermatologist_clearance"], date=today.isoformat())
    post("/api/v1/intakes", doc)
    post(f"/api/v1/clients/{cid}/consents", {"text": "I consent to micro-needling of the face.", "signer": name})
    roller = post("/api/v1/rollers", {"lot": lot, "serial": f"{i:05d}", "device": "dermaroller", "needle_count": 192,
                                      "needle_length_mm": 1.0,
                                      "expiry": (today + datetime.timedelta(days=400)).isoformat()})
    post(f"/api/v1/rollers/{roller['id']}/assign", {"client_id": cid})
    s = post("/api/v1/sessions", {"client_id": cid, "area": "face", "roller_id": roller["id"],
                                  "acknowledge": ["DEPTH.thin_skin"]})
    assert s["session"]["id"] == i, s["session"]["id"]
