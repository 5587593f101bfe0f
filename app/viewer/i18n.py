"""Languages: Qt translation files under ``resources/translations`` (porthole_fr.qm...),
chosen from the system locale or forced with ``--lang``; the Qt-free core's strings go
through the same translator (``app.viewer.core.i18n``, context "core").

English is the source language: it needs no file, and any language without one is shown
in English. ``scripts/update-translations`` extracts the strings and rebuilds the .qm."""

from __future__ import annotations

from pathlib import Path

from app.viewer.core import i18n as core_i18n
from app.viewer.qt import QtCore

TRANSLATIONS = Path(__file__).resolve().parents[2] / "resources" / "translations"
LANGUAGES = ("en", "fr")

# What is installed now, so that choosing again (a test, a later setting) replaces it
# rather than stacking a second translator under the first, which would keep answering.
_installed: list[QtCore.QTranslator] = []


def install_translations(app: QtCore.QCoreApplication, lang: str | None = None) -> str:
    """Load the language asked for, or the system's; returns the one in use ("en" when
    there is no translation: English is the source language).

    Forcing a language also makes it the default QLocale, so numbers (prices, timings)
    are written the way that language writes them."""
    for old in _installed:
        app.removeTranslator(old)
    _installed.clear()
    if lang:
        QtCore.QLocale.setDefault(QtCore.QLocale(lang))
    # The default locale is the system's unless a language was forced (here or by the
    # caller): its uiLanguages() are the person's preferred languages, in order.
    locale = QtCore.QLocale()
    translator = QtCore.QTranslator(app)
    if not translator.load(locale, "porthole", "_", str(TRANSLATIONS)):
        core_i18n.install(None)
        return "en"
    app.installTranslator(translator)
    _installed.append(translator)
    # Qt's own words (a text field's context menu: Copy, Paste, Select All) when Qt ships
    # them for this language; without them those few stay English.
    qt_words = QtCore.QTranslator(app)
    qt_dir = QtCore.QLibraryInfo.path(QtCore.QLibraryInfo.LibraryPath.TranslationsPath)
    if qt_words.load(locale, "qtbase", "_", qt_dir):
        app.installTranslator(qt_words)
        _installed.append(qt_words)
    core_i18n.install(lambda text: QtCore.QCoreApplication.translate(core_i18n.CONTEXT, text))
    return translator.language().split("_")[0] or locale.name().split("_")[0]
