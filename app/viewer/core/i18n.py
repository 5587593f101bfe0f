"""The one hook every string people see goes through, so the Qt layer can plug its
translations in (``install(QCoreApplication.translate-based function)``) without the
Qt-free core importing Qt. Until then, text is shown as written (English).

Templates are translated before they are filled in: ``tr("Renews on {date}.").format(...)``,
so a translator sees one sentence with its placeholder, not fragments.

``scripts/update-translations`` finds the strings to translate by reading the source: every
``tr("...")`` and ``tr_noop("...")`` call with a literal (context "core" in the .ts file).
A string chosen at run time (a month name from a table) is marked where it is written with
``tr_noop`` and translated where it is shown with ``tr``."""

from __future__ import annotations

from collections.abc import Callable

Translator = Callable[[str], str]

#: The .ts/.qm context of the core's strings (Qt's views use their class names).
CONTEXT = "core"


def _identity(text: str) -> str:
    return text


_translator: Translator = _identity


def tr(text: str) -> str:
    """``text`` in the person's language (as written, until a translator is installed)."""
    return _translator(text)


def tr_noop(text: str) -> str:
    """Marks ``text`` for extraction and returns it untranslated: for tables whose entries
    are translated later, with ``tr``, when one is picked (Qt's QT_TRANSLATE_NOOP)."""
    return text


def install(translator: Translator | None) -> None:
    """Use ``translator`` for every later ``tr`` call; ``None`` goes back to English."""
    global _translator
    _translator = translator or _identity


def translating() -> bool:
    """Whether people read another language than the source's (English)."""
    return _translator is not _identity
