"""Use cases: load through the stores, decide with `domain/`, write through the stores.

One unit-of-work convention:
- A use case that web handlers, commands or the scheduler call takes the `Runtime` (or the
  `Database`) and opens its one transaction itself: `async with runtime.db.begin() as connection:`
  (`db.run(work)` where the work is safe to repeat on a dead connection). Leaving the block
  commits; an exception rolls everything back.
- A function that takes a `connection` joins its caller's transaction and never commits: the
  caller decides what is atomic together.
- No SQL here: every statement lives in `adapters/db/<noun>_store.py`; services name only
  `AsyncConnection` and `Row` from `herinnering.adapters.db` (tests/unit/test_layers.py checks it).
"""
