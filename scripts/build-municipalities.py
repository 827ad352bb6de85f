#!/usr/bin/env python3
"""Regenerate rules/municipalities.toml from the contract's municipalities.csv.

The TOML file is the bot's editable copy; staff may add aliases by hand, and
this script keeps the aliases already present when it is run again.
"""
import csv
import sys
import tomllib
from pathlib import Path

EXTRA_ALIASES = {
    "s-hertogenbosch": ["Den Bosch", "'s-Hertogenbosch", "s Hertogenbosch"],
    "alphen-aan-den-rijn": ["Alphen"],
    "sittard-geleen": ["Sittard", "Geleen"],
}


def main(csv_path: str, out_path: str) -> None:
    out = Path(out_path)
    old = tomllib.loads(out.read_text(encoding="utf-8")) if out.exists() else {}
    kept = {m["slug"]: m.get("aliases", []) for m in old.get("municipality", [])}
    lines = [
        "# Municipalities of the G32 network (from the contract's municipalities.csv).",
        "# slug: the identifier used everywhere; status: member or candidate;",
        "# domains: mail domains (subdomains match too); aliases: other names in text.",
        "",
    ]
    with open(csv_path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            slug = row["slug"]
            aliases = sorted(set(kept.get(slug, []) + EXTRA_ALIASES.get(slug, [])))
            domains = [d.strip() for d in row["domains"].split(";") if d.strip()]
            lines += [
                "[[municipality]]",
                f'slug = "{slug}"',
                f'name = "{row["name"]}"',
                f'status = "{row["status"]}"',
                "domains = [" + ", ".join(f'"{d}"' for d in domains) + "]",
                "aliases = [" + ", ".join(f'"{a}"' for a in aliases) + "]",
                "",
            ]
    out.write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
