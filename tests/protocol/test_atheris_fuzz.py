"""Coverage-guided fuzzing of the wire parsers with atheris, for a bounded time.

Each target of tests/protocol/fuzz_targets.py runs in its own process
(tests/protocol/fuzz_atheris.py): atheris.Fuzz() ends the process when it is done, and
the instrumented modules must not leak into this one. PORTHOLE_FUZZ_SECONDS sets the
budget per target (default 4 s, so the five stay under half a minute);
PORTHOLE_REQUIRE_ATHERIS=1 (scripts/test) turns a missing atheris into a failure.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from app.protocol import Frame, FrameFlags, FrameType, encode_frame
from app.protocol.fills import Fill, encode_fills
from app.protocol.input import encode_input
from tests.protocol.fuzz_targets import TARGETS, dictionary_file_text, json_document
from tests.protocol.test_input import EVENTS
from tests.protocol.test_messages import VALID, encode_json

FUZZ_SECONDS = int(os.environ.get("PORTHOLE_FUZZ_SECONDS", "4"))
REPO = Path(__file__).resolve().parents[2]
# Beyond the fuzzing budget: interpreter start-up, instrumented imports, the seed corpus,
# and a loaded machine. A run still going after that is hung, not slow.
STARTUP_ALLOWANCE_S = 60
# One input taking this long is a hang (libFuzzer's -timeout); parsing anything this
# small takes microseconds.
INPUT_TIMEOUT_S = 5


def seeds(target: str) -> list[bytes]:
    """Valid inputs from the other protocol tests' examples, as the starting corpus."""
    if target.endswith("-json"):
        # Choices, not wire bytes: none is better than another; the fuzzer starts from
        # the empty input, the first choice of everything.
        return [b"", bytes(range(256)), b"\xff" * 64]
    inputs = [encode_input(event) for event in EVENTS]
    if target == "input":
        return inputs
    if target == "message":
        return [encode_json(example).encode() for example in VALID.values()]
    frames = [
        Frame(FrameType.VIDEO, 7, 123_456, b"\x00\x00\x00\x01\x67", FrameFlags.KEYFRAME),
        Frame(FrameType.VIDEO, 2**32 - 1, 2**64 - 1, b"", FrameFlags.END_OF_STREAM),
        *(Frame(FrameType.INPUT, n, 1_000 + n, payload) for n, payload in enumerate(inputs)),
        Frame(FrameType.FILL, 8, 123_457, encode_fills([Fill(0, 0, 1920, 1080, (1, 2, 3))])),
    ]
    return [encode_frame(frame) for frame in frames]


@pytest.fixture
def atheris_installed() -> None:
    # find_spec, not import: importing atheris here would load libFuzzer into pytest.
    if importlib.util.find_spec("atheris") is None:
        if os.environ.get("PORTHOLE_REQUIRE_ATHERIS") == "1":
            pytest.fail("atheris is required for this run (the dev extra, on Linux x86_64)")
        pytest.skip("atheris is not installed (wheels exist for Linux x86_64 only)")


def run_fuzzer(target: str, tmp_path: Path, *flags: str) -> tuple[int, str, list[Path]]:
    """Run one target under atheris; its exit code, its output and the inputs it saved
    as crashes or hangs."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for n, seed in enumerate(seeds(target)):
        (corpus / f"seed-{n:03}").write_bytes(seed)
    tokens = tmp_path / "tokens.dict"
    tokens.write_text(dictionary_file_text(target))
    artifacts = tmp_path / "artifacts"
    artifacts.mkdir()
    command = [
        sys.executable,
        "-m",
        "tests.protocol.fuzz_atheris",
        target,
        f"-timeout={INPUT_TIMEOUT_S}",
        f"-dict={tokens}",
        f"-artifact_prefix={artifacts}/",
        *flags,
        str(corpus),
    ]
    try:
        done = subprocess.run(
            command,
            cwd=REPO,
            stdout=subprocess.PIPE,
            # One stream, in order: atheris prints the Python traceback on stdout and
            # libFuzzer its verdict on stderr.
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
            timeout=FUZZ_SECONDS + STARTUP_ALLOWANCE_S,
        )
    except subprocess.TimeoutExpired as exc:  # run() has killed the fuzzer
        output = exc.stdout if isinstance(exc.stdout, str) else (exc.stdout or b"").decode()
        pytest.fail(f"the {target} fuzzer did not stop on time:\n{output[-3000:]}")
    return done.returncode, done.stdout, sorted(artifacts.iterdir())


def findings_report(target: str, output: str, saved: list[Path]) -> str:
    lines = []
    for path in saved:
        data = path.read_bytes()
        lines.append(f"  {path.name}: {data[:500]!r}")
        if target.endswith("-json"):  # the bytes are choices; show what they built
            lines.append(f"    as JSON: {json_document(data, target)[:500]!r}")
    inputs = "\n".join(lines)
    return (
        f"atheris found an input breaking the {target} contract "
        f"(replay: python -m tests.protocol.fuzz_atheris {target} FILE):\n"
        f"{inputs or '  (no input saved)'}\n--- fuzzer output (end) ---\n{output[-4000:]}"
    )


@pytest.mark.usefixtures("atheris_installed")
@pytest.mark.timeout(FUZZ_SECONDS + STARTUP_ALLOWANCE_S + 30)
# --dist loadgroup keeps the fuzzers on one worker, one at a time: each keeps a core busy
# for its whole budget, and the rest of the suite gets the other one.
@pytest.mark.xdist_group("atheris")
@pytest.mark.parametrize("target", sorted(TARGETS))
def test_fuzz(target: str, tmp_path: Path) -> None:
    code, output, saved = run_fuzzer(target, tmp_path, f"-max_total_time={FUZZ_SECONDS}")
    # libFuzzer reports a finding as "==PID== ERROR: libFuzzer: ..." and saves the input.
    if code != 0 or saved or "ERROR: libFuzzer" in output:
        pytest.fail(findings_report(target, output, saved))
    # Proof that it fuzzed rather than exiting early, e.g. on a broken corpus.
    runs = re.search(r"Done (\d+) runs in", output)
    assert runs is not None and int(runs.group(1)) > len(seeds(target)), output[-3000:]


@pytest.mark.parametrize("target", sorted(TARGETS))
def test_seeds_keep_the_contract(target: str) -> None:
    """The contract holds for the seeds in this process: a broken harness shows here
    even where atheris is not installed."""
    for seed in seeds(target):
        TARGETS[target](seed)
