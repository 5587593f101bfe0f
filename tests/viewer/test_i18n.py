"""English and French: the committed catalogue is complete and current, and the viewer
shows French when asked (or when the system is French) and English otherwise.

The catalogue checks run the same extraction as ``scripts/update-translations`` (lupdate
for the Qt views, the ``ast`` extractor for the core), plus an independent reading of
every ``self.tr`` so that a misreading by lupdate's Python parser cannot go unnoticed."""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.viewer import translations
from app.viewer.core import i18n as core_i18n
from app.viewer.core.banner import banner_for, format_date
from app.viewer.core.records import Computer, PendingPayment, Plan, Purchase, Subscription
from app.viewer.i18n import install_translations
from app.viewer.qt import QtCore, QtWidgets
from app.viewer.views.banner import BannerWidget
from app.viewer.views.computers import ComputersView
from app.viewer.views.manage import ManagePanel
from app.viewer.views.purchase import PurchasePanel
from app.viewer.views.sign_in import SignInView
from tests.support.qt import screenshot

NOW = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)
NBSP = "\u00a0"  # French puts a no-break space before : ; ? !
APOS = "\u2019"  # and writes the apostrophe as a typographer's one
ACTIVE = Subscription(
    "active",
    plan="year-1",
    current_period_end=datetime(2026, 12, 26, 12, 0, tzinfo=UTC),
    auto_renew=True,
    payment_method="Visa •••• 4242",
    computers_used=2,
    computers_limit=5,
)
Use = Callable[[str | None], str]


# -- the catalogue ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def extracted() -> list[translations.Message]:
    return translations.extract()


@pytest.fixture(scope="module")
def french() -> dict[translations.Key, translations.Entry]:
    return {entry.key: entry for entry in translations.read_ts(translations.ts_path("fr"))}


def test_the_committed_qm_is_compiled_from_the_committed_ts(tmp_path: Path) -> None:
    built = tmp_path / "porthole_fr.qm"
    translations.release(translations.ts_path("fr"), built)
    assert built.read_bytes() == translations.qm_path("fr").read_bytes(), (
        "porthole_fr.qm is stale: run scripts/update-translations"
    )


def test_the_ts_holds_exactly_the_strings_of_the_sources(
    extracted: list[translations.Message], french: dict[translations.Key, translations.Entry]
) -> None:
    in_sources = {message.key for message in extracted}
    in_ts = {key for key, entry in french.items() if entry.current}
    assert sorted(in_sources - in_ts) == [], "new strings: run scripts/update-translations"
    assert sorted(in_ts - in_sources) == [], "strings gone: run scripts/update-translations"
    # Both extractors contributed: the views' classes and the core.
    contexts = {context for context, _ in in_sources}
    assert {"core", "SignInView", "ComputerRow", "PurchasePanel", "ManagePanel"} <= contexts
    assert len(in_sources) > 150


def test_every_string_has_a_finished_french_translation_with_the_same_placeholders(
    extracted: list[translations.Message], french: dict[translations.Key, translations.Entry]
) -> None:
    entries = [french[message.key] for message in extracted if message.key in french]
    assert translations.problems(entries) == []
    assert all(entry.finished for entry in entries)


def test_placeholders_are_compared_with_their_format_specs() -> None:
    assert translations.placeholders("{b} and {a:.0f}") == ["{a:.0f}", "{b}"]
    assert translations.placeholders("{a:.0f}") != translations.placeholders("{a}")
    assert translations.placeholders("no fields") == []


def _self_tr_calls(folder: Path) -> Iterator[tuple[str, ast.Call]]:
    """(class name, call) for every ``self.tr(...)`` written in a class's own body."""
    for path in sorted(folder.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for cls in ast.walk(tree):
            if not isinstance(cls, ast.ClassDef):
                continue
            for node in ast.walk(cls):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "tr"
                    and isinstance(node.func.value, ast.Name)
                    and node.func.value.id == "self"
                ):
                    yield cls.name, node


@pytest.mark.parametrize("folder", translations.QT_SOURCES)
def test_every_self_tr_is_a_literal_filed_under_its_class(
    folder: str, french: dict[translations.Key, translations.Entry]
) -> None:
    # PySide6 looks a view's strings up under its class name: lupdate must have filed
    # each one there, and a text computed at run time would have been missed altogether.
    calls = list(_self_tr_calls(translations.ROOT / folder))
    assert calls or folder.endswith("controllers")
    for cls, call in calls:
        text = call.args[0]
        assert isinstance(text, ast.Constant) and isinstance(text.value, str), (
            f"{folder}: {cls} line {call.lineno}: self.tr() needs a literal"
        )
        assert (cls, text.value) in french, f"{cls}: {text.value!r} is not in the .ts"


def test_the_core_extractor_reads_literals_and_refuses_pieces(tmp_path: Path) -> None:
    module = tmp_path / "app" / "viewer" / "core" / "sample.py"
    module.parent.mkdir(parents=True)
    module.write_text(
        "from app.viewer.core.i18n import tr, tr_noop\n"
        "NAMES = (tr_noop('One'), tr_noop('Two'))\n"
        "def show(n: int) -> str:\n"
        "    return tr(NAMES[n]) + tr('Shown {n} times.').format(n=n)\n"
    )
    found = translations.core_messages(tmp_path)
    assert [(m.context, m.source) for m in found] == [
        ("core", "One"),
        ("core", "Two"),
        ("core", "Shown {n} times."),
    ]
    module.write_text("from app.viewer.core.i18n import tr\nname = 'x'\nx = tr(f'Hi {name}')\n")
    with pytest.raises(translations.CatalogueError, match="one template"):
        translations.core_messages(tmp_path)


# -- the viewer in French and in English -----------------------------------------------------


@pytest.fixture
def use_language(qapp: QtWidgets.QApplication) -> Iterator[Use]:
    """Installs a language for the test; English and the previous locale come back after,
    whatever happens, so the other tests see the English they expect."""
    previous = QtCore.QLocale()

    def use(lang: str | None) -> str:
        return install_translations(qapp, lang)

    try:
        yield use
    finally:
        install_translations(qapp, "en")
        QtCore.QLocale.setDefault(previous)
        core_i18n.install(None)


def test_sign_in_in_french(use_language: Use, qtbot: QtBot) -> None:
    assert use_language("fr") == "fr"
    view = SignInView()
    qtbot.addWidget(view)
    assert view.title.text() == "Se connecter"
    assert view.submit.text() == "Se connecter"
    assert view.remember.text() == "Se souvenir de moi sur cet appareil"
    assert view.switch.text() == "Créer un compte"
    assert view.email.accessibleName() == "Adresse e-mail"
    assert view.email.placeholderText() == "vous@exemple.fr"
    view.resize(640, 420)
    view.show()
    screenshot(view, "fr-sign-in")
    view.show_error("Trop de tentatives.", wait_s=30)
    assert view.error.text() == "Trop de tentatives. Réessayez dans 30 s."
    view.switch.click()
    assert view.title.text() == "Créez votre compte"
    assert view.switch.text() == f"J{APOS}ai déjà un compte"


def test_the_subscription_banner_and_the_computers_in_french(
    use_language: Use, qtbot: QtBot
) -> None:
    use_language("fr")
    banner = banner_for(ACTIVE, NOW)
    widget = BannerWidget()
    qtbot.addWidget(widget)
    widget.show_banner(banner)
    assert widget.title.text() == "Abonnement actif · 1 an"
    assert widget.details.text().split("\n") == [
        "Renouvellement le 26 décembre 2026.",
        "Les renouvellements sont débités sur Visa •••• 4242.",
        f"Ordinateurs{NBSP}: 2 sur 5",
    ]
    assert widget.action.text() == "Gérer"

    view = ComputersView()
    qtbot.addWidget(view)
    view.banner.show_banner(banner)
    view.show_computers(
        [
            Computer("c-1", "Studio", "Linux", True, NOW),
            Computer("c-2", "Bureau", "Windows", False, datetime(2026, 3, 1, 18, tzinfo=UTC)),
        ]
    )
    studio, bureau = view.rows["c-1"], view.rows["c-2"]
    assert studio.detail.text() == "Linux · En ligne"
    assert bureau.detail.text() == "Windows · Dernière connexion le 1er mars 2026"
    assert studio.connect_button.text() == "Se connecter"
    assert studio.remove_button.text() == "Supprimer"
    view.resize(760, 420)
    view.show()
    screenshot(view, "fr-computers-banner")


def test_other_banners_in_french(use_language: Use) -> None:
    use_language("fr")
    pending = banner_for(
        Subscription("pending_payment", pending=PendingPayment("p-1", "card", NOW)), NOW
    )
    assert pending.title == "Paiement en attente"
    assert pending.lines[0] == f"Paiement par carte initié aujourd{APOS}hui à 09:30."
    grace = banner_for(
        Subscription("grace", plan="month-1", grace_until=datetime(2026, 3, 13, tzinfo=UTC)),
        NOW,
    )
    assert grace.title == "Échec du paiement"
    assert (
        grace.lines[1] == f"L{APOS}accès reste ouvert jusqu{APOS}au 13 mars 2026 (encore 3 jours)."
    )
    assert grace.action_label == "Changer de moyen de paiement"
    none = banner_for(Subscription("none"), NOW)
    assert (none.title, none.action_label) == ("Aucun abonnement", "Acheter un abonnement")


def test_every_month_is_french(use_language: Use) -> None:
    use_language("fr")
    months = [format_date(datetime(2026, m, 26, tzinfo=UTC), NOW) for m in range(1, 13)]
    assert [date.split(" ")[1] for date in months] == [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ]
    assert format_date(datetime(2026, 12, 26, tzinfo=UTC), NOW) == "26 décembre 2026"


def test_buying_and_managing_in_french(use_language: Use, qtbot: QtBot) -> None:
    use_language("fr")
    panel = PurchasePanel()
    qtbot.addWidget(panel)
    panel.set_plans([Plan("year-1", 12, 9999, "eur"), Plan("month-1", 1, 999, "eur")])
    assert panel.windowTitle() == "Acheter un abonnement — Porthole"
    assert [b.text() for b in panel.plan_buttons.values()] == [
        "1 mois — 9,99 EUR",
        "1 an — 99,99 EUR",
    ]
    assert [panel.methods.itemText(i) for i in range(panel.methods.count())] == [
        "Carte bancaire",
        "PayPal",
        "Virement bancaire",
    ]
    assert panel.buy.text() == "Acheter"

    manage = ManagePanel()
    qtbot.addWidget(manage)
    manage.show_subscription(ACTIVE)
    assert manage.summary.text() == f"1 an{NBSP}: renouvellement le 26 décembre 2026."
    assert manage.auto_renew.text() == "Renouvellement automatique"
    manage.show_purchases(
        [Purchase("p-1", "confirmed", "year-1", "card", 9999, "eur", created_at=NOW)]
    )
    items = [manage.history.item(0, column) for column in range(4)]
    cells = [item.text() if item is not None else None for item in items]
    assert cells == ["10 mars 2026", "1 an", "99,99 EUR", "Payé"]


def test_english_when_asked_after_french(use_language: Use, qtbot: QtBot) -> None:
    use_language("fr")
    assert use_language("en") == "en"
    view = SignInView()
    qtbot.addWidget(view)
    assert view.title.text() == "Sign in"
    assert view.remember.text() == "Remember me on this device"
    banner = banner_for(ACTIVE, NOW)
    assert banner.title == "Subscription active · 1 year"
    assert banner.lines[0] == "Renews on 26 December 2026."
    panel = PurchasePanel()
    qtbot.addWidget(panel)
    panel.set_plans([Plan("month-1", 1, 999, "eur")])
    assert [b.text() for b in panel.plan_buttons.values()] == ["1 month — 9.99 EUR"]


@pytest.mark.parametrize(
    ("system", "expected"), [("fr_FR", "fr"), ("fr_CA", "fr"), ("en_GB", "en"), ("de_DE", "en")]
)
def test_the_system_language_is_followed_without_lang(
    use_language: Use, qtbot: QtBot, system: str, expected: str
) -> None:
    # The default QLocale is the system's unless something set it: stand in for a
    # machine set up in that language.
    QtCore.QLocale.setDefault(QtCore.QLocale(system))
    assert use_language(None) == expected
    view = SignInView()
    qtbot.addWidget(view)
    french = expected == "fr"
    assert view.remember.text() == (
        "Se souvenir de moi sur cet appareil" if french else "Remember me on this device"
    )
    assert banner_for(ACTIVE, NOW).title == (
        "Abonnement actif · 1 an" if french else "Subscription active · 1 year"
    )


def test_the_clouds_refusals_read_in_french_too(use_language: Use) -> None:
    from app.viewer.core.errors import WrongCredentials, error_from_answer

    refusal = {"error": "invalid_credentials", "message": "The email or password is incorrect."}
    english = error_from_answer(401, refusal, {})
    assert isinstance(english, WrongCredentials) and english.message == refusal["message"]
    use_language("fr")
    french = error_from_answer(401, refusal, {})
    assert isinstance(french, WrongCredentials)
    assert french.message != refusal["message"] and "mot de passe" in french.message
