"""Coverage-guided fuzzing of the file parsers with atheris (libFuzzer), for a bounded run.

Not part of the pytest suite (hypothesis covers these in CI); run it by hand when a parser
changes:

    pip install atheris
    python -m tests.fuzz.atheris_parsers tenant-csv -runs=200000
    python -m tests.fuzz.atheris_parsers camt -runs=100000 -max_len=8192
    python -m tests.fuzz.atheris_parsers erp-csv -runs=200000

The corpus starts from the shipped samples. A parser may return or raise its documented error
(`ImportFileError` and subclasses, or `PaymentCsvError`); anything else is a crash that
libFuzzer reports with the input that caused it (saved as crash-<hash>).
"""

from __future__ import annotations

import contextlib
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import atheris

with atheris.instrument_imports():
    from herinnering.adapters.camt import parse_camt
    from herinnering.domain.payments.erp_csv import PaymentCsvError, parse_payment_csv
    from herinnering.domain.tenants.tenant_csv import ImportRules, parse_tenant_csv

from herinnering.errors import ImportFileError
from herinnering.resources import config_dir

RULES = ImportRules(collection_days=frozenset(range(1, 26)), languages=("nl", "en", "tr", "ar", "pl"))
SAMPLES = config_dir() / "samples"


def _tenant_csv(data: bytes) -> None:
    with contextlib.suppress(ImportFileError):
        parse_tenant_csv(data, RULES)


def _erp_csv(data: bytes) -> None:
    with contextlib.suppress(PaymentCsvError):
        parse_payment_csv(data)


def _camt(data: bytes) -> None:
    with contextlib.suppress(ImportFileError):
        parse_camt(data, "fuzz.xml")


TARGETS: dict[str, tuple[Callable[[bytes], None], list[Path]]] = {
    "tenant-csv": (_tenant_csv, [config_dir() / "sample-tenants.csv"]),
    "erp-csv": (_erp_csv, [SAMPLES / "erp-payments.csv"]),
    "camt": (_camt, [SAMPLES / "camt053-returns.xml", SAMPLES / "camt054-return.xml"]),
}


def main(argv: list[str]) -> None:
    if len(argv) < 2 or argv[1] not in TARGETS:
        sys.exit(f"usage: python -m tests.fuzz.atheris_parsers {{{','.join(TARGETS)}}} [libFuzzer flags]")
    target, seeds = TARGETS[argv[1]]
    corpus = Path(tempfile.mkdtemp(prefix=f"atheris-{argv[1]}-"))
    for seed in seeds:
        (corpus / seed.name).write_bytes(seed.read_bytes())
    flags = argv[2:] or ["-runs=50000"]
    atheris.Setup([argv[0], *flags, str(corpus)], target)
    atheris.Fuzz()


if __name__ == "__main__":
    main(sys.argv)
