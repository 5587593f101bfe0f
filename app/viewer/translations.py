"""The viewer's translation catalogue, for ``scripts/update-translations`` and the tests
(nothing here runs in the app): find every string people see, merge them into
``resources/translations/porthole_<lang>.ts`` keeping what is translated, and compile the
``.qm`` files the app loads.

Two extractors, one .ts file per language:

- Qt views and controllers call ``self.tr("...")``: Qt's own ``lupdate`` reads them, with
  the class name as the context (what PySide6's ``tr`` looks up at run time).
- The Qt-free core calls a plain ``tr("...")`` (``app.viewer.core.i18n``) that lupdate
  cannot place in a context: this module reads those calls, and ``tr_noop("...")`` marks,
  with Python's ``ast``, under the context "core" (what the installed hook looks up).

The .ts file is the source of truth (translators edit it, or Qt Linguist); the .qm is
built from it and committed, so running the app needs no build step."""

from __future__ import annotations

import argparse
import ast
import os
import shutil
import string
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from app.viewer.core.i18n import CONTEXT as CORE_CONTEXT

ROOT = Path(__file__).resolve().parents[2]
TS_DIR = ROOT / "resources" / "translations"
#: Languages with a translation (English is the source language and needs none).
LANGUAGES = ("fr",)
#: Where ``self.tr`` is used (lupdate's part).
QT_SOURCES = ("app/viewer/views", "app/viewer/controllers")
#: Where the core's ``tr``/``tr_noop`` may be used (ours): the whole viewer, kiosk included.
CORE_SOURCES = ("app/viewer",)
CORE_FUNCTIONS = frozenset({"tr", "tr_noop"})

Key = tuple[str, str]  # (context, source text)


class CatalogueError(Exception):
    """The sources cannot be extracted as they are (an f-string in ``tr``, say)."""


@dataclass
class Message:
    context: str
    source: str
    #: (file relative to the .ts folder, line): shown to translators, not part of the key.
    locations: list[tuple[str, int]] = field(default_factory=list)

    @property
    def key(self) -> Key:
        return (self.context, self.source)


@dataclass
class Entry:
    """One message of a .ts file."""

    context: str
    source: str
    translation: str = ""
    #: "" when finished, else Qt's "unfinished", "vanished" or "obsolete".
    state: str = "unfinished"
    locations: list[tuple[str, int]] = field(default_factory=list)

    @property
    def key(self) -> Key:
        return (self.context, self.source)

    @property
    def finished(self) -> bool:
        return self.state == "" and bool(self.translation)

    @property
    def current(self) -> bool:
        """Still in the sources (vanished and obsolete entries are kept for reference)."""
        return self.state not in ("vanished", "obsolete")


def ts_path(lang: str) -> Path:
    return TS_DIR / f"porthole_{lang}.ts"


def qm_path(lang: str) -> Path:
    return TS_DIR / f"porthole_{lang}.qm"


def placeholders(text: str) -> list[str]:
    """The ``{name:spec}`` fields of a str.format template, sorted (a translation may
    reorder them, not drop, add or rename any)."""
    fields = []
    for _, name, spec, conversion in string.Formatter().parse(text):
        if name is not None:
            fields.append(
                f"{{{name}{'!' + conversion if conversion else ''}{':' + spec if spec else ''}}}"
            )
    return sorted(fields)


# -- extraction ---------------------------------------------------------------------------


def _relative(path: Path) -> str:
    return Path(os.path.relpath(path, TS_DIR)).as_posix()


def _python_files(root: Path, folders: Sequence[str]) -> list[Path]:
    files: list[Path] = []
    for folder in folders:
        base = root / folder
        files.extend([base] if base.is_file() else sorted(base.rglob("*.py")))
    return files


def core_messages(root: Path = ROOT) -> list[Message]:
    """Every ``tr("...")`` and ``tr_noop("...")`` with a literal in the viewer's modules,
    in the "core" context. A call with anything else is either a string picked from a
    ``tr_noop`` table (fine: it was marked where written) or a mistake: an f-string or a
    concatenation is filled in before it reaches the translator."""
    found: dict[str, Message] = {}
    problems: list[str] = []
    for path in _python_files(root, CORE_SOURCES):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in CORE_FUNCTIONS
                and node.args
            ):
                continue
            text = node.args[0]
            where = f"{path.relative_to(root)}:{node.lineno}"
            if isinstance(text, ast.Constant) and isinstance(text.value, str):
                message = found.setdefault(text.value, Message(CORE_CONTEXT, text.value))
                message.locations.append((_relative(path), node.lineno))
            elif isinstance(text, ast.JoinedStr | ast.BinOp):
                problems.append(f"{where}: {node.func.id}() needs one template, not pieces")
            elif node.func.id == "tr_noop":
                problems.append(f"{where}: tr_noop() marks a literal string")
    if problems:
        raise CatalogueError("\n".join(problems))
    # In reading order (ast.walk is breadth-first), like lupdate's: a translator sees a
    # module's sentences together and in sequence.
    return sorted(found.values(), key=lambda message: message.locations[0])


def _tool(name: str) -> str:
    """A PySide6 tool: beside this Python (a venv's bin), else on PATH."""
    here = shutil.which(f"pyside6-{name}", path=str(Path(sys.executable).parent))
    anywhere = here or shutil.which(f"pyside6-{name}")
    if anywhere is None:
        raise CatalogueError(f"pyside6-{name} not found (it comes with PySide6)")
    return anywhere


def qt_messages(root: Path = ROOT) -> list[Message]:
    """What lupdate finds in the Qt views and controllers (``self.tr``, class contexts)."""
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "qt.ts"
        subprocess.run(
            [
                _tool("lupdate"),
                "-silent",
                "-extensions",
                "py",
                "-locations",
                "absolute",
                *[str(root / folder) for folder in QT_SOURCES],
                "-ts",
                str(out),
            ],
            check=True,
        )
        entries = read_ts(out)
    messages = []
    for entry in entries:
        if entry.context == "":
            # A bare tr(): the core hook's, which core_messages files under "core".
            continue
        locations = [
            (_relative(Path(os.path.normpath(Path(scratch) / name))), line)
            for name, line in entry.locations
        ]
        messages.append(Message(entry.context, entry.source, locations))
    return messages


def extract(root: Path = ROOT) -> list[Message]:
    """Every string people see: the Qt views' and the core's."""
    return qt_messages(root) + core_messages(root)


# -- .ts files ------------------------------------------------------------------------------


def read_ts(path: Path) -> list[Entry]:
    if not path.exists():
        return []
    entries = []
    for context in ET.parse(path).getroot().iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            if message.get("numerus") == "yes":
                raise CatalogueError(f"{path}: plural forms (numerus) are not handled")
            translation = message.find("translation")
            entries.append(
                Entry(
                    name,
                    message.findtext("source") or "",
                    (translation.text or "") if translation is not None else "",
                    (translation.get("type", "") if translation is not None else "unfinished"),
                    [
                        (loc.get("filename", ""), int(loc.get("line", "0")))
                        for loc in message.iter("location")
                    ],
                )
            )
    return entries


def merge(
    existing: Iterable[Entry], messages: Iterable[Message], *, keep_vanished: bool
) -> list[Entry]:
    """The sources' messages, each with its existing translation (finished or not);
    translations whose source is gone are kept as "vanished" (reusable when a sentence
    is reworded) unless ``keep_vanished`` is false."""
    old = {entry.key: entry for entry in existing}
    merged: list[Entry] = []
    seen: set[Key] = set()
    for message in messages:
        if message.key in seen:
            continue
        seen.add(message.key)
        before = old.get(message.key)
        if before is None:
            merged.append(Entry(message.context, message.source, locations=message.locations))
            continue
        state = "unfinished" if before.state in ("vanished", "obsolete") else before.state
        if not before.translation:
            state = "unfinished"
        merged.append(
            Entry(message.context, message.source, before.translation, state, message.locations)
        )
    if keep_vanished:
        for entry in old.values():
            if entry.key not in seen and entry.translation:
                merged.append(Entry(entry.context, entry.source, entry.translation, "vanished"))
    return merged


def write_ts(path: Path, lang: str, entries: Sequence[Entry]) -> None:
    root = ET.Element("TS", {"version": "2.1", "language": lang, "sourcelanguage": "en"})
    contexts: dict[str, ET.Element] = {}
    for entry in sorted(entries, key=lambda e: e.context):  # stable: source order within
        context = contexts.get(entry.context)
        if context is None:
            context = contexts[entry.context] = ET.SubElement(root, "context")
            ET.SubElement(context, "name").text = entry.context
        message = ET.SubElement(context, "message")
        for filename, line in entry.locations:
            ET.SubElement(message, "location", {"filename": filename, "line": str(line)})
        ET.SubElement(message, "source").text = entry.source
        attributes = {"type": entry.state} if entry.state else {}
        ET.SubElement(message, "translation", attributes).text = entry.translation
    ET.indent(root, space="    ")
    # <translation></translation> stays open even when empty, as Qt writes it;
    # <location/> is always empty and closed.
    body = ET.tostring(root, encoding="unicode", short_empty_elements=False)
    body = body.replace("></location>", "/>")
    path.write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n' + body + "\n", encoding="utf-8"
    )


def release(ts: Path, qm: Path) -> None:
    """Compile ``ts`` into ``qm`` (unfinished translations left out: English shows)."""
    subprocess.run(
        [_tool("lrelease"), "-silent", "-nounfinished", str(ts), "-qm", str(qm)], check=True
    )


def problems(entries: Iterable[Entry]) -> list[str]:
    """What keeps a language from being complete: untranslated messages, and
    translations whose placeholders differ from the source's (``.format`` would fail)."""
    found = []
    for entry in entries:
        if not entry.current:
            continue
        where = f"[{entry.context}] {entry.source!r}"
        if not entry.finished:
            found.append(f"not translated: {where}")
        elif placeholders(entry.translation) != placeholders(entry.source):
            found.append(f"placeholders differ: {where} -> {entry.translation!r}")
    return found


def update(langs: Sequence[str] = LANGUAGES, *, keep_vanished: bool = True) -> list[str]:
    messages = extract()
    report = []
    for lang in langs:
        path = ts_path(lang)
        entries = merge(read_ts(path), messages, keep_vanished=keep_vanished)
        path.parent.mkdir(parents=True, exist_ok=True)
        write_ts(path, lang, entries)
        release(path, qm_path(lang))
        todo = problems(entries)
        current = sum(entry.current for entry in entries)
        report.append(f"{path.relative_to(ROOT)}: {current} messages, {len(todo)} to do")
        report.extend(f"  {line}" for line in todo)
    return report


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="scripts/update-translations",
        description="Extract the viewer's strings into resources/translations/*.ts "
        "(keeping translations) and compile the .qm files.",
    )
    parser.add_argument("langs", nargs="*", default=list(LANGUAGES), help="default: all")
    parser.add_argument(
        "--no-obsolete", action="store_true", help="drop translations whose source is gone"
    )
    parser.add_argument(
        "--check", action="store_true", help="fail when something is left to translate"
    )
    args = parser.parse_args(argv)
    try:
        report = update(args.langs, keep_vanished=not args.no_obsolete)
    except CatalogueError as exc:
        print(exc, file=sys.stderr)
        return 1
    print("\n".join(report))
    return 1 if args.check and any(line.startswith("  ") for line in report) else 0


if __name__ == "__main__":
    sys.exit(main())
