"""The next step after a returned direct debit, chosen by the debit's ISO reason — as a value.

A return is not one thing: "insufficient funds" (AM04) is worth a second try, a refund the
tenant asked for (MD06) is an objection that calls for a conversation, a closed account
(AC04) needs a new IBAN or mandate, and a deceased debtor (MD07) must never get another
message. The operator maps each code to one of the `ReturnAction`s (`[returns.actions]`);
codes not listed follow the ordinary ladder. `next_after_return` says what to do and why,
in plain Dutch, for the ladder view and the timeline. `recollection_date` picks the day a
re-collection is asked for: late enough for the SEPA pre-notification, on a TARGET2 day.
Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

from herinnering.domain.payments.state import reason
from herinnering.domain.reminders.planning import is_target2_closed

MAX_RECOLLECTIONS = 2  # payment providers stop after two; so do we, whatever the configuration says


class ReturnAction(StrEnum):
    RECOLLECT = "recollect"      # a re-collection on a later date (announced), no link: paying too would pay twice
    OBJECTION = "objection"      # no re-debit: a kind message and an officer task to talk
    NEW_MANDATE = "new_mandate"  # no re-debit: the link, and a task for a new IBAN or mandate
    DECEASED = "deceased"        # stop every message at once; an officer task; never another message
    LADDER = "ladder"            # nothing special: the ordinary follow-up ladder


DEFAULT_ACTIONS: dict[str, ReturnAction] = {
    "AM04": ReturnAction.RECOLLECT, "MS03": ReturnAction.RECOLLECT,
    "MD06": ReturnAction.OBJECTION, "MS02": ReturnAction.OBJECTION,
    "AC04": ReturnAction.NEW_MANDATE, "AC06": ReturnAction.NEW_MANDATE, "MD01": ReturnAction.NEW_MANDATE,
    "SL01": ReturnAction.NEW_MANDATE, "AC01": ReturnAction.NEW_MANDATE, "AG01": ReturnAction.NEW_MANDATE,
    "MD07": ReturnAction.DECEASED,
}

WHY: dict[ReturnAction, str] = {
    ReturnAction.RECOLLECT: "Het saldo was te laag; dat is vaak tijdelijk. Daarom één keer opnieuw incasseren "
                            "op een latere datum, vooraf aangekondigd. Geen betaallink voor deze maand zolang "
                            "de nieuwe incasso loopt: anders betaalt de huurder twee keer.",
    ReturnAction.OBJECTION: "De huurder heeft de incasso zelf tegengehouden of teruggedraaid. Niet opnieuw "
                            "incasseren: eerst in gesprek over het bezwaar.",
    ReturnAction.NEW_MANDATE: "Van deze rekening kan niet (meer) geïncasseerd worden. Opnieuw incasseren heeft "
                              "geen zin: een nieuw IBAN of een nieuwe machtiging is nodig. De betaallink blijft.",
    ReturnAction.DECEASED: "De rekeninghouder is overleden. Er gaan geen berichten meer naar dit nummer; "
                           "een medewerker neemt het dossier over.",
    ReturnAction.LADDER: "Geen aparte regel voor deze reden: de gewone opvolging.",
}

NOT_DIRECT_DEBIT_WHY = ("De huurder betaalt niet (meer) per automatische incasso: niet opnieuw incasseren, "
                        "de gewone opvolging met betaallink.")

LAST_TRY_WHY = ("Ook de nieuwe incasso kwam terug. Niet nog eens incasseren: de gewone opvolging met "
                "betaallink, en een medewerker neemt contact op.")


@dataclass(frozen=True)
class ReturnPolicy:
    """The `[returns]` table: code → action, and the re-collection rules."""

    actions: Mapping[str, ReturnAction] = field(default_factory=lambda: dict(DEFAULT_ACTIONS))
    max_recollections: int = 1          # per tenant and month; never more than MAX_RECOLLECTIONS
    recollect_after_days: int = 10      # the re-collection date: at least this long after the return
    # SEPA pre-notification: the announcement (amount and date) reaches the tenant at least this
    # many days before the re-collection — the rulebook's 14 unless the mandate agreed fewer
    # (per tenant: tenants.pre_notification_days wins).
    pre_notification_days: int = 14

    def __post_init__(self) -> None:
        if not 0 <= self.max_recollections <= MAX_RECOLLECTIONS:
            raise ValueError(f"max_recollections must be 0..{MAX_RECOLLECTIONS} (got {self.max_recollections})")

    def action(self, code: str | None) -> ReturnAction:
        return self.actions.get((code or "").upper(), ReturnAction.LADDER)


@dataclass(frozen=True)
class StepAfterReturn:
    """What to do now; a service carries it out."""

    code: str
    reason_nl: str            # the reason in plain Dutch
    action: ReturnAction
    why: str                  # why this step, in plain Dutch
    link: bool                # offer the payment link now
    message_kind: str | None  # the message that replaces the ladder's first rung (None: the ladder's own)
    recollect_on: date | None  # ask the bank again on this day (None: no re-collection)
    task_kind: str | None
    task_title: str | None
    stop_all: bool = False    # cancel every planned message and never send another

    def describe(self) -> str:
        """One line for the ladder view and the timeline."""
        return f"{self.code} {self.reason_nl}: {self.why}"


def recollection_date(returned_on: date, policy: ReturnPolicy, notice_on: date | None = None,
                      pre_notification_days: int | None = None) -> date:
    """The first TARGET2 settlement day at least `recollect_after_days` after the return and at
    least the pre-notification (the tenant's own agreed days, else the policy's) after the day
    the announcement goes out (`notice_on`, by default the day of the return)."""
    notice = pre_notification_days if pre_notification_days is not None else policy.pre_notification_days
    day = max(returned_on + timedelta(days=policy.recollect_after_days),
              (notice_on or returned_on) + timedelta(days=notice))
    while is_target2_closed(day):
        day += timedelta(days=1)
    return day


def bank_deadline(collect_on: date) -> date:
    """The last day a re-collection file for `collect_on` can reach the bank: the TARGET2
    settlement day before it (SEPA Core debits settle D-1 for every sequence type since the 2016
    rulebook). A bank's own cut-off time on that day comes on top."""
    day = collect_on - timedelta(days=1)
    while is_target2_closed(day):
        day -= timedelta(days=1)
    return day


def payable_part(months: Sequence[tuple[str, int]], recollecting: Collection[str]) -> tuple[str, int] | None:
    """What a payment link may ask of open `months` (period, open cents; oldest first) while the
    months in `recollecting` wait for their announced re-collection: the oldest other open month
    and the open cents of all the others; None when nothing else is open. Paying a month the
    bank debits again would pay it twice."""
    rest = [(period, cents) for period, cents in months if cents > 0 and period not in recollecting]
    return (rest[0][0], sum(cents for _, cents in rest)) if rest else None


def next_after_return(code: str | None, policy: ReturnPolicy, returned_on: date,
                      recollections_before: int, *, direct_debit: bool = True, notice_on: date | None = None,
                      pre_notification_days: int | None = None) -> StepAfterReturn:
    """The step after one return of a tenant's month. `recollections_before` counts the
    re-collections already asked for that month: a return of the last allowed one closes the
    loop (no further try) and goes to a person. A tenant who no longer pays by direct debit
    (`direct_debit` false) is never debited again: the ordinary ladder with its link instead.
    `notice_on` and `pre_notification_days` set the re-collection date (`recollection_date`)."""
    code = (code or "????").upper()
    action = policy.action(code)
    text = reason(code).nl
    if action is ReturnAction.RECOLLECT and not direct_debit:
        return StepAfterReturn(code, text, ReturnAction.LADDER, NOT_DIRECT_DEBIT_WHY, link=True, message_kind=None,
                               recollect_on=None, task_kind=None, task_title=None)
    if action is ReturnAction.RECOLLECT:
        if recollections_before < policy.max_recollections:
            return StepAfterReturn(code, text, action, WHY[action], link=False, message_kind="return_recollect",
                                   recollect_on=recollection_date(returned_on, policy, notice_on,
                                                                  pre_notification_days),
                                   task_kind=None, task_title=None)
        return StepAfterReturn(code, text, action, LAST_TRY_WHY if recollections_before else WHY[ReturnAction.LADDER],
                               link=True, message_kind=None, recollect_on=None,
                               task_kind="call_tenant" if recollections_before else None,
                               task_title="Bel de huurder: ook de nieuwe incasso kwam terug"
                               if recollections_before else None)
    if action is ReturnAction.OBJECTION:
        return StepAfterReturn(code, text, action, WHY[action], link=False, message_kind="return_objection",
                               recollect_on=None, task_kind="return_objection",
                               task_title="Neem contact op met de huurder over het bezwaar tegen de incasso")
    if action is ReturnAction.NEW_MANDATE:
        return StepAfterReturn(code, text, action, WHY[action], link=True, message_kind=None, recollect_on=None,
                               task_kind="new_mandate", task_title="Nieuw IBAN of nieuwe machtiging nodig")
    if action is ReturnAction.DECEASED:
        return StepAfterReturn(code, text, action, WHY[action], link=False, message_kind=None, recollect_on=None,
                               task_kind="debtor_deceased",
                               task_title="Rekeninghouder overleden (MD07): dossier overnemen, geen berichten meer",
                               stop_all=True)
    return StepAfterReturn(code, text, action, WHY[action], link=True, message_kind=None, recollect_on=None,
                           task_kind=None, task_title=None)


def parse_actions(table: Mapping[str, object]) -> dict[str, ReturnAction]:
    """`[returns.actions]` → code → action; raises ValueError naming the bad entry."""
    found: dict[str, ReturnAction] = {}
    for code, value in table.items():
        if not isinstance(code, str) or len(code) != 4 or not code.isalnum():
            raise ValueError(f"{code!r} is not a 4-character ISO reason code")
        try:
            found[code.upper()] = ReturnAction(str(value))
        except ValueError:
            raise ValueError(f"{code} = {value!r}: choose one of {', '.join(a.value for a in ReturnAction)}") from None
    return found
