#!/usr/bin/env python3
# Fills a new, migrated Needlework SQLite database with N clients, each with an intake, a consent, a roller
# (registered, then assigned and used), a finished session and its 9 protocol steps — 14 records and 16 audit
# entries a client — every write audited as the store audits it (SHA-256 of the record's canonical JSON, the
# hash chain, the head), so `needlework audit verify` can be timed on a clinic-sized database in seconds rather
# than hours of writing it command by command. The digests are the store's own only if `audit verify` passes.
#
#   needlework --db clinic10k.db db info                 # creates the schema
#   /usr/bin/python3 scripts/gen-audited-clinic.py clinic10k.db 10000
#   time needlework --db clinic10k.db audit verify       # docs/store.md, "Audit chain"
import hashlib, json, sqlite3, sys

if len(sys.argv) != 3:
    sys.exit("usage: gen-audited-clinic.py DATABASE CLIENTS (a new database: needlework --db DATABASE db info)")
path, n = sys.argv[1], int(sys.argv[2])
db = sqlite3.connect(path)
db.execute("PRAGMA foreign_keys=ON")
# A database of schema version 5 (an older build) has no rollers.assigned_at: then the roller has none.
has_assigned_at = any(r[1] == "assigned_at" for r in db.execute("PRAGMA table_info(rollers)"))
sha = lambda b: hashlib.sha256(b.encode()).hexdigest()
canon = lambda j: json.dumps(j, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
esc = lambda s: s.replace("\\", "\\\\").replace("\n", "\\n")
seq, prev = 0, "0" * 64
audit_rows = []

def audit(at, action, entity, eid, before, after):
    global seq, prev
    seq += 1
    text = "\n".join([prev, str(seq), at, esc("gen"), esc(action), esc(entity), esc(str(eid)), before, after])
    h = sha(text)
    audit_rows.append((seq, at, "gen", action, entity, str(eid), before, after, prev, h))
    prev = h

steps = ["STEP.check_roller", "STEP.check_consultation", "STEP.cleanse", "STEP.anaesthetic",
         "STEP.anaesthetic_wait", "STEP.disinfect", "STEP.roll", "STEP.mask", "STEP.sunscreen"]
ids = {"intakes": 0, "consents": 0, "rollers": 0, "sessions": 0, "session_steps": 0}
def next_id(t):
    ids[t] += 1
    return ids[t]

for i in range(n):
    cid = f"C-{i:05d}"
    t0 = "2026-11-23T09:00:00Z"
    client = {"id": cid, "name": f"Client {i}", "date_of_birth": "1988-03-14", "created_at": t0}
    db.execute("INSERT INTO clients (id, name, date_of_birth, created_at) VALUES (?,?,?,?)",
               (cid, client["name"], "1988-03-14", t0))
    audit(t0, "insert", "clients", cid, "", sha(canon(client)))
    doc = {"client": {"id": cid, "name": client["name"]}, "date": "2026-11-23", "setting": "clinic",
           "areas": [{"area": "face", "concerns": ["pores"]}], "conditions": []}
    iid = next_id("intakes")
    intake = {"id": iid, "client_id": cid, "intake_date": "2026-11-23", "intake": doc, "decision": "cleared",
              "areas": [{"area": "face", "decision": "cleared"}], "reasons": [], "pack": "seed@1.0.0",
              "recorded_at": t0}
    db.execute("INSERT INTO intakes VALUES (?,?,?,?,?,?,?,?,?)",
               (iid, cid, "2026-11-23", canon(doc), "cleared", canon(intake["areas"]), "[]", "seed@1.0.0", t0))
    audit(t0, "insert", "intakes", iid, "", sha(canon(intake)))
    kid = next_id("consents")
    consent = {"id": kid, "client_id": cid, "text_sha256": "a" * 64, "signer": client["name"],
               "signed_at": "2026-11-23T09:05:00Z", "withdrawn_at": None, "withdrawn_by": ""}
    db.execute("INSERT INTO consents VALUES (?,?,?,?,?,?,?)",
               (kid, cid, "a" * 64, client["name"], "2026-11-23T09:05:00Z", None, ""))
    audit("2026-11-23T09:05:00Z", "insert", "consents", kid, "", sha(canon(consent)))
    rid = next_id("rollers")
    roller = {"id": rid, "lot": "L-1", "serial": f"{i:05d}", "udi": "", "device": "dermaroller",
              "needle_count": 192, "needle_length_mm": 0.5, "expiry": "2028-01-31", "state": "new",
              "client_id": None, "uses": 0, "disposal_reason": "", "registered_at": "2026-11-23T09:10:00Z"}
    after_insert = sha(canon(roller))
    audit("2026-11-23T09:10:00Z", "insert", "rollers", rid, "", after_insert)
    roller.update(state="used", client_id=cid, uses=1)
    if has_assigned_at:
        roller["assigned_at"] = "2026-11-23T09:15:00Z"
    db.execute("INSERT INTO rollers (id, lot, serial, udi, device, needle_count, needle_length_mm, expiry, state, "
               "client_id, uses, disposal_reason, registered_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
               (rid, "L-1", f"{i:05d}", "", "dermaroller", 192, 0.5, "2028-01-31", "used", cid, 1, "",
                "2026-11-23T09:10:00Z"))
    if has_assigned_at:
        db.execute("UPDATE rollers SET assigned_at = ? WHERE id = ?", ("2026-11-23T09:15:00Z", rid))
    audit("2026-11-23T09:15:00Z", "update", "rollers", rid, after_insert, sha(canon(roller)))
    sid = next_id("sessions")
    session = {"id": sid, "client_id": cid, "appointment_id": None, "intake_id": iid, "consent_id": kid,
               "roller_id": rid, "area": "face", "device": "dermaroller", "needle_length_mm": 0.5,
               "pack": "seed@1.0.0", "started_at": "2026-11-24T10:00:00Z", "finished_at": None, "passes": None,
               "density_per_cm2": None, "effective_depth_mm": None, "notes": "", "cocktail": False,
               "conditions": [], "stroke_plan": None}
    started = sha(canon(session))
    audit("2026-11-24T10:00:00Z", "insert", "sessions", sid, "", started)
    db.execute("INSERT INTO sessions (id, client_id, appointment_id, intake_id, consent_id, roller_id, area, device, "
               "needle_length_mm, pack, started_at, finished_at, notes) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
               (sid, cid, None, iid, kid, rid, "face", "dermaroller", 0.5, "seed@1.0.0", "2026-11-24T10:00:00Z",
                "2026-11-24T11:00:00Z", ""))
    for k, st in enumerate(steps):
        at = f"2026-11-24T10:{k + 1:02d}:00Z"
        tid = next_id("session_steps")
        db.execute("INSERT INTO session_steps VALUES (?,?,?,?)", (tid, sid, st, at))
        audit(at, "insert", "session_steps", tid, "", sha(canon({"id": tid, "session_id": sid, "step": st, "at": at})))
    session["finished_at"] = "2026-11-24T11:00:00Z"
    audit("2026-11-24T11:00:00Z", "update", "sessions", sid, started, sha(canon(session)))

db.executemany("INSERT INTO audit (seq, at, actor, action, entity, entity_id, before_sha256, after_sha256, "
               "prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?)", audit_rows)
db.execute("INSERT INTO audit_head (id, seq, hash) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET seq = "
           "excluded.seq, hash = excluded.hash", (seq, prev))
db.commit()
print(f"{n} clients, {seq} audit entries")
