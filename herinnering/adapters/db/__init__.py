"""The database adapter: tables, the engine and one store module per noun (`<noun>_store.py`).

Every SQL statement lives here. Services call store functions with a connection they opened
themselves (`async with runtime.db.begin() as connection:`) and never import sqlalchemy: the two
names they need in signatures, the connection and a result row, are re-exported below.
"""

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncConnection

__all__ = ["AsyncConnection", "Row"]
