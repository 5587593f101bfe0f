"""The one hook every string people see goes through, so the Qt layer can plug its
translations in later (``install(QCoreApplication.translate-based function)``) without
the Qt-free core importing Qt. Until then, text is shown as written (English).

Templates are translated before they are filled in: ``tr("Renews on {date}.").format(...)``,
so a translator sees one sentence with its placeholder, not fragments."""

from __future__ import annotations

from collections.abc import Callable

Translator = Callable[[str], str]


def _identity(text: str) -> str:
    return text


_translator: Translator = _identity


def tr(text: str) -> str:
    """``text`` in the person's language (as written, until a translator is installed)."""
    return _translator(text)


def install(translator: Translator | None) -> None:
    """Use ``translator`` for every later ``tr`` call; ``None`` goes back to English."""
    global _translator
    _translator = translator or _identity
