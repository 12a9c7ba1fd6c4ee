#!/usr/bin/env python3
"""Rewrites registry items of the first format (the zone as one JSON ``document`` string) with
typed attributes, so the ``byParent`` and ``byAccount`` indexes see them.

Run it once after upgrading a deployment made before the typed registry, with credentials of the
management account:

    python scripts/migrate-registry.py --table <RegistryTableName output> [--dry-run]

Each rewrite is conditional on the item being unchanged since it was read, so it is safe while
runs are going on; running it twice rewrites nothing the second time.
"""

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "layers" / "orgdns"))

import boto3

from orgdns.aws.registry import Registry


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--table", required=True, help="the stack's RegistryTableName output")
    parser.add_argument("--region", default="us-east-1")
    parser.add_argument("--dry-run", action="store_true", help="list the items, rewrite nothing")
    args = parser.parse_args(argv)
    registry = Registry(boto3.client("dynamodb", region_name=args.region), args.table)
    names = registry.migrate(dry_run=args.dry_run)
    verb = "would rewrite" if args.dry_run else "rewrote"
    print(f"{verb} {len(names)} item(s) of the first format" + (": " + ", ".join(names) if names else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
