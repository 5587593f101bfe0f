"""Languages: Qt translation files under ``resources/translations`` (porthole_fr.qm...),
chosen from the system locale or forced with ``--lang``; the Qt-free core's strings go
through the same translator (``app.viewer.core.i18n``)."""

from __future__ import annotations

from pathlib import Path

from app.viewer.core import i18n as core_i18n
from app.viewer.qt import QtCore, QtWidgets

TRANSLATIONS = Path(__file__).resolve().parents[2] / "resources" / "translations"
LANGUAGES = ("en", "fr")


def install_translations(app: QtWidgets.QApplication, lang: str | None = None) -> str:
    """Load the language asked for, or the system's; returns the one in use ("en" when
    there is no translation: English is the source language)."""
    locale = QtCore.QLocale(lang) if lang else QtCore.QLocale.system()
    translator = QtCore.QTranslator(app)
    if translator.load(locale, "porthole", "_", str(TRANSLATIONS)):
        app.installTranslator(translator)
        # The core's strings (banner, purchase, errors) live in the "core" context.
        core_i18n.install(lambda text: QtCore.QCoreApplication.translate("core", text))
        return locale.name().split("_")[0]
    core_i18n.install(lambda text: text)
    return "en"
