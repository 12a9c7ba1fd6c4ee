"""DynamoDB: an index query reads the items its key condition names (patch 10)."""

from __future__ import annotations

import threading
from typing import Any

from moto.dynamodb.models.table import Item, Table

from .context import GlueContext, _Patches


def _patch_dynamodb_queries(ctx: GlueContext | None, patches: _Patches) -> None:
    """Query a secondary index by its key condition, not by reading the whole table.

    Gap (cost, and the size of a page): `Table.query` (moto/dynamodb/models/table.py) sorts every
    item of the table, then looks at each, and sizes each against the 1 MB page limit before it
    applies the range condition; DynamoDB reads only the items the key condition selects, and a
    page holds 1 MB of those. orgdns's registry asks for the children of a zone below a name (the
    byParent index: parent = P and begins_with(reversed name)): under a root zone with a thousand
    children each such query sized a thousand items, and a burst of runs made that the square of
    its size. Patched: for an index query with key conditions, `Table.all_items` answers, for the
    duration of that query in that thread, only the items matching the hash key conditions and
    the range condition, sorted as moto sorts them; moto's query does the rest as before.
    """
    original_query = Table.query
    original_all_items = Table.all_items
    selected = threading.local()

    def all_items(self: Table) -> list[Item]:
        chosen = getattr(selected, "items", None)
        if chosen is not None and chosen[0] is self:
            return list(chosen[1])
        return list(original_all_items(self))

    def query(self: Table, hash_key: Any, range_comparison: Any, range_objs: Any, *args: Any, **kwargs: Any) -> Any:
        index_name = args[4] if len(args) > 4 else kwargs.get("index_name")
        hash_conditions = kwargs.get("hash_key_conditions") or []
        if not index_name or not hash_conditions:
            return original_query(self, hash_key, range_comparison, range_objs, *args, **kwargs)
        index = self.get_index(index_name)
        range_keys = [key["AttributeName"] for key in index.schema if key["KeyType"] == "RANGE"]
        items = []
        for item in _every_item(self):
            if not all(_equal(item.attrs.get(name), value) for name, value in hash_conditions):
                continue
            if range_comparison and len(range_keys) == 1:
                value = item.attrs.get(range_keys[0])
                if value is None or not value.compare(range_comparison, range_objs):
                    continue
            items.append(item)
        items.sort(key=lambda x: (x.hash_key, x.range_key) if x.range_key else x.hash_key)  # as all_items
        selected.items = (self, items)
        try:
            return original_query(self, hash_key, range_comparison, range_objs, *args, **kwargs)
        finally:
            selected.items = None

    patches.set(Table, "all_items", all_items)
    patches.set(Table, "query", query)


def _every_item(table: Table) -> list[Item]:
    if table.range_key_attr:
        return [item for hash_set in list(table.items.values()) for item in list(hash_set.values())]
    return list(table.items.values())


def _equal(value: Any, wanted: Any) -> bool:
    return value is not None and bool(value == wanted)  # an item without the attribute is not in the index
