"""The planner's statements: a month's reminders for every tenant in one `INSERT … SELECT`.

The send moments are not computed here: the planner asks `domain.reminders.planning` once per collection
day (at most 28 answers: holidays, TARGET2 days, the send window) and hands them in as a small
table of days. The statement joins the tenants to it on their effective collection day (a day
chosen by the tenant counts from its month on), so the tenants are read once, however many
days the month has. Each new message gets its kind (how the tenant pays), its key, its
experiment variant and its template in the same statement: nothing is updated afterwards.

Planning again is cheap: a tenant already planned for the month is found by one probe of the
unique key's index (`ON CONFLICT DO NOTHING`) and nothing is written for it; the same key makes
two planners at once harmless. An anti-join (`NOT EXISTS`) was measured and left out: PostgreSQL
answers it by hashing the whole outbox, every month of its history, which made planning a new
month 30 % slower with ten months of messages and re-planning no cheaper than the probe.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Date,
    Integer,
    String,
    and_,
    case,
    cast,
    false,
    func,
    literal,
    null,
    select,
    true,
    union_all,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from herinnering.adapters.db import segment_store, tenant_store
from herinnering.adapters.db.experiment_tables import experiment_assignments
from herinnering.adapters.db.tables import UtcDateTime, messages, tenants
from herinnering.adapters.db.tenant_tables import collection_day_changes
from herinnering.adapters.templates import template_path
from herinnering.domain.experiments.assignment import choose
from herinnering.domain.experiments.experiments import Experiment
from herinnering.domain.reminders.states import MessageState

DEFAULT_VARIANT = "default"
COLUMNS = ["tenant_id", "kind", "period", "idempotency_key", "channel", "template", "variant", "state",
           "send_at", "not_after", "debit_date", "attempts", "created_at", "updated_at"]


@dataclass(frozen=True)
class PlannedDay:
    """One collection day's reminder, as `domain.reminders.planning` decided it, and the experiments
    (indexes into the `experiments` given to `insert_reminders`) that take new messages sent then."""

    day: int
    send_at: datetime
    not_after: datetime | None
    debit_date: date
    experiments: frozenset[int] = frozenset()


def plannable(opt_out_segments: Collection[int]) -> Any:
    """Active, not opted out of messages, and not opted out of the pre-debit reminder while in a
    segment that allows it (`[segments.cadence]`)."""
    return and_(tenants.c.active.is_(True), tenants.c.opted_out.is_(False),
                segment_store.wants_pre_debit_sql(opt_out_segments))


def effective_days(period: str) -> Any:
    """Per tenant with a collection-day change in force for `period`: the newest change's day
    (`tenant_id`, `new_day`). Joined, not asked per tenant."""
    ranked = (
        select(collection_day_changes.c.tenant_id, collection_day_changes.c.new_day,
               func.row_number().over(partition_by=collection_day_changes.c.tenant_id,
                                      order_by=collection_day_changes.c.id.desc()).label("newest"))
        .where(collection_day_changes.c.state == "scheduled", collection_day_changes.c.effective_period <= period)
        .subquery("ranked_day_changes")
    )
    return select(ranked.c.tenant_id, ranked.c.new_day).where(ranked.c.newest == 1).subquery("day_changes")


async def days_in_use(connection: AsyncConnection, period: str, opt_out_segments: Collection[int]) -> dict[int, int]:
    """How many plannable tenants collect on each effective day of `period`."""
    changed = effective_days(period)
    day = func.coalesce(changed.c.new_day, tenants.c.collection_day).label("day")
    chosen = (select(day).select_from(tenants.outerjoin(changed, changed.c.tenant_id == tenants.c.id))
              .where(plannable(opt_out_segments)).subquery())
    rows = await connection.execute(select(chosen.c.day, func.count()).group_by(chosen.c.day))
    return {int(d): int(n) for d, n in rows.all()}


async def first_tenants(connection: AsyncConnection, period: str, opt_out_segments: Collection[int],
                        days: Sequence[int], limit: int) -> list[Any]:
    """The first `limit` plannable tenants collecting on `days` (by day, then id), with their
    effective `collection_day`: the CLI's preview."""
    changed = effective_days(period)
    day = func.coalesce(changed.c.new_day, tenants.c.collection_day)
    return list((await connection.execute(
        select(tenants.c.id, tenants.c.external_id, tenants.c.name, day.label("collection_day"), tenants.c.channel,
               tenants.c.language, tenants.c.payment_method, tenants.c.contract_ended_on)
        .select_from(tenants.outerjoin(changed, changed.c.tenant_id == tenants.c.id))
        .where(plannable(opt_out_segments), day.in_(days)).order_by(day, tenants.c.id).limit(limit)
    )).all())


async def insert_reminders(connection: AsyncConnection, period: str, days: Sequence[PlannedDay], now: datetime,
                           **options: Any) -> int:
    """The reminders of `days` for every plannable tenant (`reminders_insert`) in one statement;
    returns how many were new."""
    if not days:
        return 0
    return (await connection.execute(reminders_insert(connection.dialect.name, period, days, now, **options))).rowcount


def reminders_insert(
    dialect: str, period: str, days: Sequence[PlannedDay], now: datetime, *,
    opt_out_segments: Collection[int], debit_kind: str, due_kind: str, key_prefixes: tuple[str, str],
    experiments: Sequence[Experiment] = (), in_segments: Sequence[int] | None = None,
) -> Any:
    """The statement: the reminders of `days` for every plannable tenant (in one of `in_segments`,
    when given: a segment's extra earlier reminder) whose lease covers the debit date. A
    direct-debit payer's message is `debit_kind` keyed `<key_prefixes[0]>:<tenant>:<period>`,
    anyone else's `due_kind` keyed with `key_prefixes[1]`."""
    changed = effective_days(period)
    plan = _days_table(dialect, days, len(experiments))
    kind = tenant_store.reminder_kind_sql(debit_kind, due_kind)
    prefix = tenant_store.reminder_kind_sql(f"{key_prefixes[0]}:", f"{key_prefixes[1]}:")
    key = prefix + cast(tenants.c.id, String) + literal(f":{period}")
    joined = (
        tenants.outerjoin(changed, changed.c.tenant_id == tenants.c.id)
        # a LEFT JOIN keeps the tenants the outer loop on SQLite (it would read them once per day)
        .outerjoin(plan, plan.c.day == func.coalesce(changed.c.new_day, tenants.c.collection_day))
    )
    columns = [tenants.c.id.label("tenant_id"), kind.label("kind"), key.label("key"), tenants.c.channel,
               tenants.c.language, plan.c.send_at, plan.c.not_after, plan.c.debit_date]
    code_of: Callable[[Any], Any] | None = None
    if experiments:
        joined, hashes, code_of = _assignment(joined, plan, kind, experiments)
        columns += hashes
    rows = (
        select(*columns)
        .select_from(joined)
        .where(func.coalesce(plan.c.day, 0) > 0, plannable(opt_out_segments),
               tenant_store.lease_covers_sql(plan.c.debit_date))
    )
    if in_segments is not None:
        rows = rows.where(segment_store.in_segments_sql(in_segments))
    if experiments:
        rows = rows.offset(0)  # a fence: the hashes are computed once per row, not once per comparison
    row = rows.subquery("new_reminders")
    variants = [(_code(i, j), v.name, v.template) for i, e in enumerate(experiments) for j, v in enumerate(e.variants)]
    name: Any = row.c.kind
    variant: Any = literal(DEFAULT_VARIANT)
    if variants and code_of is not None:
        code = code_of(row)
        name = func.coalesce(case({c: t for c, _, t in variants}, value=code, else_=null()), row.c.kind)
        variant = func.coalesce(case({c: n for c, n, _ in variants}, value=code, else_=null()), literal(DEFAULT_VARIANT))
    source = select(
        row.c.tenant_id, row.c.kind, literal(period), row.c.key, row.c.channel,
        template_path(name, row.c.channel, row.c.language), variant, literal(MessageState.PLANNED.value),
        row.c.send_at, row.c.not_after, row.c.debit_date, literal(0), literal(now, UtcDateTime), literal(now, UtcDateTime),
    )
    if dialect == "sqlite":
        source = source.where(literal(True))  # SQLite needs a WHERE before an upsert clause
    insert = postgresql.insert(messages) if dialect == "postgresql" else sqlite.insert(messages)
    return insert.from_select(COLUMNS, source).on_conflict_do_nothing(index_elements=["idempotency_key"])


def _days_table(dialect: str, days: Sequence[PlannedDay], experiments: int) -> Any:
    """The month's days as a small table: day, send_at, not_after, debit_date, and per
    experiment `e<i>` = 1 when it takes new messages sent on that day."""

    def typed(value: Any, type_: Any) -> Any:
        # PostgreSQL reads a UNION of bare parameters as text: cast them. SQLite would turn a
        # datetime text into a number by a CAST: leave its values as they are.
        return cast(literal(value, type_), type_) if dialect == "postgresql" else literal(value, type_)

    selects = []
    for planned in days:
        columns = [typed(planned.day, Integer).label("day"), typed(planned.send_at, UtcDateTime).label("send_at"),
                   typed(planned.not_after, UtcDateTime).label("not_after"),
                   typed(planned.debit_date, Date).label("debit_date")]
        columns += [typed(int(i in planned.experiments), Integer).label(f"e{i}") for i in range(experiments)]
        selects.append(select(*columns))
    return (union_all(*selects) if len(selects) > 1 else selects[0]).subquery("plan_days")


def _assignment(joined: Any, plan: Any, kind: Any,
                experiments: Sequence[Experiment]) -> tuple[Any, list[Any], Callable[[Any], Any]]:
    """`Experiment.assign` in SQL, with a tenant's stored assignment first (it keeps the variant
    of its first exposure while that variant exists). Returns the join with the stored
    assignments, the columns the fenced row query computes once per row (per experiment: the
    stored variant's code, the hash, the namespace hash; NULL where the experiment does not take
    that day and kind), and a function of that row query giving the code `"<i>:<letter>"` of
    variant j of experiment i, or NULL for the ordinary message. The first experiment, in order,
    that takes the tenant wins, as in `assign`.

    The hash is the pure one of `domain.experiments.assignment` (`herinnering_fnv1a32` in the database). The
    whole numbers a variant takes are found by asking `choose` itself for every possible hash
    value, so the bucketing cannot drift from the domain's; the statement compares integers."""
    columns: list[Any] = []
    for i, experiment in enumerate(experiments):
        stored = experiment_assignments.alias(f"stored_{i}")
        joined = joined.outerjoin(stored, and_(stored.c.experiment_key == experiment.key,
                                               stored.c.tenant_id == tenants.c.id))
        takes = and_(plan.c[f"e{i}"] == 1, kind == experiment.kind)
        kept = case(*((stored.c.variant == v.name, literal(_code(i, j))) for j, v in enumerate(experiment.variants)),
                    else_=null())
        columns.append(case((takes, kept), else_=null()).label(f"kept_{i}"))
        bucket = _bucket(experiment.hash_seed, experiment.hash_version)
        if bucket is not None:
            columns.append(case((takes, bucket[0]), else_=null()).label(f"hash_{i}"))
        if experiment.namespace:
            columns.append(case((takes, _bucket(f"__{experiment.namespace}", 2)[0]), else_=null()).label(f"space_{i}"))

    def code(row: Any) -> Any:
        codes = []
        for i, experiment in enumerate(experiments):
            whens = []
            scale = _SCALES.get(experiment.hash_version)
            if scale is not None:
                inside: Any = true()
                if experiment.namespace:
                    low, high = experiment.namespace_range
                    space = _runs([0 if low <= n / 10000 < high else -1 for n in range(10000)]).get(0)
                    inside = (and_(row.c[f"space_{i}"] >= space[0], row.c[f"space_{i}"] < space[1])
                              if space else false())
                for j, (first, end) in _runs([choose(n / scale, experiment.ranges) for n in range(scale)]).items():
                    whens.append((and_(inside, row.c[f"hash_{i}"] >= first, row.c[f"hash_{i}"] < end),
                                  literal(_code(i, j))))
            hashed = case(*whens, else_=null()) if whens else null()
            codes.append(func.coalesce(row.c[f"kept_{i}"], hashed))
        return func.coalesce(*codes) if len(codes) > 1 else codes[0]

    return joined, columns, code


def _code(experiment: int, variant: int) -> str:
    """Variant `variant` of experiment `experiment`, as the statement names it."""
    return f"{experiment}:{chr(ord('A') + variant)}"


_SCALES = {2: 10000, 1: 1000}  # gbhash's divisor per hash version


def _fnv(value: Any) -> Any:
    return func.herinnering_fnv1a32(value, type_=BigInteger)


def _bucket(seed: str, version: int) -> tuple[Any, int] | None:
    """`gbhash(seed, contract id, version)` in SQL, as its numerator over its scale (the whole
    number n of n / scale); None for a version without a hash."""
    if version == 2:
        return _fnv(cast(_fnv(literal(seed) + tenants.c.external_id), String)) % 10000, 10000
    if version == 1:
        return _fnv(tenants.c.external_id + literal(seed)) % 1000, 1000
    return None


def _runs(answers: Sequence[int]) -> dict[int, tuple[int, int]]:
    """For each answer j >= 0 in `answers` (one per hash value 0, 1, …): the hash values
    [first, end) that give it. Consecutive ranges make each a single run; that is checked."""
    found: dict[int, list[int]] = {}
    for n, j in enumerate(answers):
        if j >= 0:
            found.setdefault(j, []).append(n)
    runs = {}
    for j, numbers in found.items():
        if numbers[-1] - numbers[0] + 1 != len(numbers):
            raise ValueError(f"answer {j} is not one run of hash values")
        runs[j] = (numbers[0], numbers[-1] + 1)
    return runs
