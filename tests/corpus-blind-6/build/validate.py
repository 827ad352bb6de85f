#!/usr/bin/env python3
"""Check every case of corpus-blind-6 against the contract. Exit 0 when all is well, 1 otherwise.

    python3 build/validate.py [CASES_DIR]      (default: the folder above build/)

Checks, per message: CRLF line endings only; parses with email.policy.default without defects;
every leaf part decodes strictly (base64 alphabet and padding, quoted-printable, the declared
charset); From, To, Subject, Date, Message-ID and MIME-Version present; Date parses, is +0100 and
lies in 2-15 November 2017; Message-IDs start with <blind6- and are unique across this set and
the other corpora. Per expected.json: exactly the keys of the contract; session ids, municipality slugs, statuses and reply kinds from the contract;
sessions sorted, unique, never two in one time slot, empty unless registered; attendees who are
invitees carry their own municipality (and role/email where given) from invitees.csv; every reply
address is a From or Reply-To of a message in the case. Also: numbering, README lists every case,
no absolute path in any file.
"""
from __future__ import annotations

import base64
import binascii
import csv
import email
import email.policy
import email.utils
import json
import re
import sys
import unicodedata
from datetime import datetime, timedelta, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORK = next(up for up in HERE.parents if (up / "shared" / "contract" / "invitees.csv").is_file())
CONTRACT = WORK / "shared" / "contract"
FIRST_CASE = 701
SLOTS = {
    "wal-en-schip": "10:00", "jeugd-onderwijs-arbeidsmarkt": "10:00",
    "ondernemerschap": "11:15", "financien": "11:15", "wonen-welzijn-zorg": "11:15", "statushouders": "11:15",
    "regionale-samenwerking": "13:00",
    "veiligheid": "14:00", "sociale-pijler": "14:00", "fysieke-pijler": "14:00",
    "algemeen-bestuur": "15:30", "netwerkborrel": "16:00",
}
STATUSES = {"registered", "declined", "cancelled"}
KINDS = {"confirmation", "acknowledgement", "clarification"}
CET = timezone(timedelta(hours=1))
FIRST, LAST = datetime(2017, 11, 2, tzinfo=CET), datetime(2017, 11, 16, tzinfo=CET)
REQUIRED = ("From", "To", "Subject", "Date", "Message-ID", "MIME-Version")
ATTENDEE_KEYS = {"name", "municipality", "status", "sessions"}
ATTENDEE_OPTIONAL = {"email", "role"}


def norm(name: str) -> str:
    text = unicodedata.normalize("NFKD", name)
    return " ".join("".join(c for c in text if not unicodedata.combining(c)).lower().split())


def load_contract():
    with open(CONTRACT / "municipalities.csv", encoding="utf-8", newline="") as f:
        slugs = {r["slug"] for r in csv.DictReader(f)}
    with open(CONTRACT / "invitees.csv", encoding="utf-8", newline="") as f:
        invitees = list(csv.DictReader(f))
    return slugs, invitees


def check_part(part, where: str, errors: list[str]) -> None:
    if part.defects:
        errors.append(f"{where}: part defects {part.defects}")
    cte = (part.get("Content-Transfer-Encoding") or "7bit").strip().lower()
    raw = part.get_payload(decode=False)
    if isinstance(raw, list):
        return
    data: bytes
    if cte == "base64":
        joined = "".join(raw.split())
        try:
            data = base64.b64decode(joined, validate=True)
        except (binascii.Error, ValueError) as e:
            errors.append(f"{where}: bad base64 ({e})")
            return
    elif cte == "quoted-printable":
        for n, line in enumerate(raw.split("\n"), 1):
            line = line.rstrip("\r")
            if len(line) > 76:
                errors.append(f"{where}: quoted-printable line {n} longer than 76")
            if re.search(r"=(?![0-9A-F]{2}|$)", line):
                errors.append(f"{where}: bad quoted-printable escape on line {n}")
        data = part.get_payload(decode=True)
    elif cte in ("7bit", "8bit", "binary"):
        data = part.get_payload(decode=True)
        if cte == "7bit" and any(b > 127 for b in data):
            errors.append(f"{where}: 8-bit data in a 7bit part")
    else:
        errors.append(f"{where}: unknown transfer encoding {cte!r}")
        return
    if part.get_content_maintype() == "text":
        charset = part.get_content_charset() or "us-ascii"
        try:
            data.decode(charset)
        except (UnicodeDecodeError, LookupError) as e:
            errors.append(f"{where}: does not decode as {charset} ({e})")
        try:
            part.get_content()
        except Exception as e:  # noqa: BLE001 - any failure to read is the finding
            errors.append(f"{where}: get_content failed ({e})")


def check_message(path: Path, errors: list[str], ids: dict[str, str]) -> list[str]:
    """Check one .eml; return its From and Reply-To addresses (lower case)."""
    rel = f"{path.parent.name}/{path.name}"
    raw = path.read_bytes()
    if re.search(rb"(?<!\r)\n", raw) or re.search(rb"\r(?!\n)", raw):
        errors.append(f"{rel}: line endings are not all CRLF")
    try:
        msg = email.message_from_bytes(raw, policy=email.policy.default)
    except Exception as e:  # noqa: BLE001
        errors.append(f"{rel}: does not parse ({e})")
        return []
    if msg.defects:
        errors.append(f"{rel}: message defects {msg.defects}")
    for h in REQUIRED:
        if msg[h] is None:
            errors.append(f"{rel}: no {h} header")
    try:
        dt = email.utils.parsedate_to_datetime(str(msg["Date"]))
        if dt.utcoffset() != timedelta(hours=1):
            errors.append(f"{rel}: Date is not +0100 ({msg['Date']})")
        if not FIRST <= dt < LAST:
            errors.append(f"{rel}: Date {dt} outside 2-15 November 2017")
    except Exception as e:  # noqa: BLE001
        errors.append(f"{rel}: Date does not parse ({e})")
    mid = str(msg["Message-ID"] or "").strip()
    if not mid.startswith("<blind6-"):
        errors.append(f"{rel}: Message-ID {mid!r} does not start with <blind6-")
    if mid in ids and ids[mid] != rel:
        errors.append(f"{rel}: Message-ID also used by {ids[mid]}")
    ids[mid] = rel
    subj = str(msg["Subject"] or "")
    if re.match(r"(?i)^(re|antw|aw|automatisch antwoord|afwezig)\s*:", subj) and msg["In-Reply-To"] is None:
        errors.append(f"{rel}: reply without In-Reply-To")
    for n, part in enumerate(msg.walk()):
        if part.is_multipart():
            if part.defects:
                errors.append(f"{rel}: multipart defects {part.defects}")
            continue
        check_part(part, f"{rel} part {n} ({part.get_content_type()})", errors)
    addrs = []
    for h in ("From", "Reply-To"):
        for v in msg.get_all(h, []):
            try:
                addrs += [a.addr_spec.lower() for a in v.addresses]
            except Exception as e:  # noqa: BLE001
                errors.append(f"{rel}: {h} unreadable ({e})")
    if not addrs:
        errors.append(f"{rel}: no From address")
    return addrs


def check_expected(case: Path, senders: set[str], slugs: set[str], invitees: list[dict], errors: list[str]) -> None:
    rel = f"{case.name}/expected.json"
    try:
        doc = json.loads((case / "expected.json").read_text(encoding="utf-8"))
    except Exception as e:  # noqa: BLE001
        errors.append(f"{rel}: unreadable ({e})")
        return
    if set(doc) != {"description", "expect"} or not isinstance(doc.get("description"), str) or not doc["description"]:
        errors.append(f"{rel}: top-level keys must be description (non-empty) and expect")
        return
    exp = doc["expect"]
    if set(exp) != {"attendees", "replies", "review"}:
        errors.append(f"{rel}: expect keys must be attendees, replies, review")
        return
    by_name = {norm(r["name"]): r for r in invitees}
    by_email = {r["email"].lower(): r for r in invitees}
    if exp["attendees"] is not None:
        if not isinstance(exp["attendees"], list):
            errors.append(f"{rel}: attendees must be a list or null")
        seen = set()
        for a in exp["attendees"] or []:
            keys = set(a)
            if not ATTENDEE_KEYS <= keys or keys - ATTENDEE_KEYS - ATTENDEE_OPTIONAL:
                errors.append(f"{rel}: attendee keys {sorted(keys)}")
                continue
            name = a["name"]
            if norm(name) in seen:
                errors.append(f"{rel}: attendee {name!r} twice")
            seen.add(norm(name))
            if a["municipality"] is not None and a["municipality"] not in slugs:
                errors.append(f"{rel}: {name}: unknown municipality {a['municipality']!r}")
            if a["status"] not in STATUSES:
                errors.append(f"{rel}: {name}: unknown status {a['status']!r}")
            sessions = a["sessions"]
            if not isinstance(sessions, list):
                errors.append(f"{rel}: {name}: sessions must be a list")
                continue
            for s in sessions:
                if s not in SLOTS:
                    errors.append(f"{rel}: {name}: unknown session {s!r}")
            if sessions != sorted(sessions) or len(set(sessions)) != len(sessions):
                errors.append(f"{rel}: {name}: sessions not sorted and unique")
            slots = [SLOTS.get(s) for s in sessions]
            if len(set(slots)) != len(slots):
                errors.append(f"{rel}: {name}: two sessions in one time slot")
            if a["status"] != "registered" and sessions:
                errors.append(f"{rel}: {name}: {a['status']} with sessions")
            inv = by_name.get(norm(name))
            if inv is not None:
                if a["municipality"] != inv["municipality"]:
                    errors.append(f"{rel}: {name}: municipality {a['municipality']!r}, invitees.csv has "
                                  f"{inv['municipality']!r}")
                if "role" in a and a["role"] != inv["role"]:
                    errors.append(f"{rel}: {name}: role {a['role']!r}, invitees.csv has {inv['role']!r}")
                if "email" in a and (a["email"] or "").lower() != inv["email"].lower():
                    errors.append(f"{rel}: {name}: email {a['email']!r}, invitees.csv has {inv['email']!r}")
            elif "email" in a and (a["email"] or "").lower() in by_email:
                errors.append(f"{rel}: {name}: email belongs to invitee {by_email[a['email'].lower()]['name']!r}")
    if exp["replies"] is not None:
        if not isinstance(exp["replies"], list):
            errors.append(f"{rel}: replies must be a list or null")
        for r in exp["replies"] or []:
            if set(r) != {"to", "kind"}:
                errors.append(f"{rel}: reply keys {sorted(r)}")
                continue
            if r["kind"] not in KINDS:
                errors.append(f"{rel}: unknown reply kind {r['kind']!r}")
            if r["to"].lower() not in senders:
                errors.append(f"{rel}: reply to {r['to']!r} is no From or Reply-To of the case")
    if exp["review"] is not None and not isinstance(exp["review"], bool):
        errors.append(f"{rel}: review must be true, false or null")


def check_no_absolute_paths(root: Path, errors: list[str]) -> None:
    here = str(root.resolve())
    prefixes = ["/" + p + "/" for p in ("work", "farm", "home", "tmp", "root", "Users")]
    for path in sorted(root.rglob("*")):
        if not path.is_file() or "__pycache__" in path.parts:
            continue
        text = path.read_bytes().decode("utf-8", "replace")
        if here in text:
            errors.append(f"{path.relative_to(root)}: contains the absolute path of this folder")
        for line in text.splitlines():
            if path.name == "validate.py":
                break
            if any(re.search(r"(?<![\w.<>:@/-])" + re.escape(p), line) for p in prefixes):
                errors.append(f"{path.relative_to(root)}: absolute path in {line.strip()[:80]!r}")


def main() -> int:
    root = Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else HERE.parent
    slugs, invitees = load_contract()
    errors: list[str] = []
    cases = sorted(p for p in root.iterdir() if p.is_dir() and re.match(r"^\d{3}-", p.name))
    numbers = [int(p.name[:3]) for p in cases]
    if numbers != list(range(FIRST_CASE, FIRST_CASE + len(cases))):
        errors.append(f"case numbers are not {FIRST_CASE}.. in sequence: {numbers}")
    ids: dict[str, str] = {}
    # Message-IDs must also be unique against every other corpus: the shared ones and the sibling sets.
    others = [WORK / "shared" / "corpus" / "cases", WORK / "shared" / "corpus" / "cases-2"]
    others += sorted(p for p in root.parent.iterdir() if p.is_dir() and p.name.startswith("corpus") and p != root)
    others += sorted(p for p in WORK.iterdir() if p.is_dir() and p.name.startswith("blind-cases"))
    for other in others:
        for p in sorted(other.glob("*/*.eml")):
            m = email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
            ids[str(m["Message-ID"] or "").strip()] = f"{other.name}/{p.parent.name}/{p.name}"
    n_msgs = 0
    for case in cases:
        if not re.match(r"^\d{3}-[a-z0-9]+(-[a-z0-9]+)*$", case.name):
            errors.append(f"{case.name}: folder name is not NNN-slug")
        emls = sorted(case.glob("*.eml"), key=lambda p: int(p.stem) if p.stem.isdigit() else 0)
        if [p.name for p in emls] != [f"{i}.eml" for i in range(1, len(emls) + 1)] or not emls:
            errors.append(f"{case.name}: messages are not 1.eml, 2.eml, ...")
        extra = {p.name for p in case.iterdir()} - {p.name for p in emls} - {"expected.json"}
        if extra:
            errors.append(f"{case.name}: unexpected files {sorted(extra)}")
        senders: set[str] = set()
        for p in emls:
            senders |= set(check_message(p, errors, ids))
            n_msgs += 1
        check_expected(case, senders, slugs, invitees, errors)
    readme = root / "README.md"
    if readme.exists():
        text = readme.read_text(encoding="utf-8")
        for case in cases:
            if f"`{case.name}`" not in text:
                errors.append(f"README.md does not list {case.name}")
    else:
        errors.append("README.md missing")
    check_no_absolute_paths(root, errors)
    for e in errors:
        print(e)
    print(f"{len(cases)} cases, {n_msgs} messages: " + ("OK" if not errors else f"{len(errors)} problems"))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
