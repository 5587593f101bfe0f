"""One coverage-guided fuzzing run of a target from :mod:`tests.protocol.fuzz_targets`.

    python -m tests.protocol.fuzz_atheris TARGET [libFuzzer flags] [CORPUS_DIR ...]

e.g. ``python -m tests.protocol.fuzz_atheris message -max_total_time=600 corpus/``.
tests/protocol/test_atheris_fuzz.py runs this in a subprocess: atheris.Fuzz() never
returns (libFuzzer exits the process), and the instrumented modules must not end up in
the pytest process.
"""

from __future__ import annotations

import sys

import atheris


def main(argv: list[str]) -> None:
    if len(argv) < 2 or argv[1].startswith("-"):
        sys.exit(f"usage: {argv[0]} TARGET [libFuzzer flags] [corpus dirs]")
    name = argv[1]
    # The parsers must be imported for the first time inside this block: instrumentation
    # is added by the import hook, at import time. (atheris instruments the whole top-level
    # package, app; only app/__init__ and app.protocol get imported.)
    with atheris.instrument_imports(include=["app.protocol"]):
        from tests.protocol.fuzz_targets import TARGETS
    if name not in TARGETS:
        sys.exit(f"unknown target {name!r}; targets: {', '.join(TARGETS)}")
    atheris.Setup([argv[0], *argv[2:]], TARGETS[name])
    atheris.Fuzz()


if __name__ == "__main__":
    main(sys.argv)
