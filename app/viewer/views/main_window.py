"""The app's window: sign-in, or the Computers list with the account's menu. Signing out
or an ended sign-in swaps the page, never the window."""

from __future__ import annotations

from app.viewer.qt import QtWidgets, Signal
from app.viewer.views.computers import ComputersView
from app.viewer.views.sign_in import SignInView


class MainWindow(QtWidgets.QMainWindow):
    sign_out_requested = Signal()
    manage_requested = Signal()
    account_requested = Signal()
    buy_requested = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.setWindowTitle("Porthole")
        self.sign_in = SignInView()
        self.computers = ComputersView()
        self.pages = QtWidgets.QStackedWidget()
        self.pages.addWidget(self.sign_in)
        self.pages.addWidget(self.computers)
        self.setCentralWidget(self.pages)
        self.account = QtWidgets.QLabel()
        toolbar = self.addToolBar(self.tr("Account"))
        toolbar.setMovable(False)
        toolbar.addWidget(self.account)
        spacer = QtWidgets.QWidget()
        spacer.setSizePolicy(
            QtWidgets.QSizePolicy.Policy.Expanding, QtWidgets.QSizePolicy.Policy.Preferred
        )
        toolbar.addWidget(spacer)
        self.manage_action = toolbar.addAction(self.tr("Subscription"))
        self.manage_action.triggered.connect(self.manage_requested.emit)
        self.account_action = toolbar.addAction(self.tr("Account"))
        self.account_action.triggered.connect(self.account_requested.emit)
        self.sign_out_action = toolbar.addAction(self.tr("Sign out"))
        self.sign_out_action.triggered.connect(self.sign_out_requested.emit)
        self.toolbar = toolbar
        self.status = self.statusBar()
        self.show_sign_in()
        self.resize(900, 640)

    def show_sign_in(self) -> None:
        self.pages.setCurrentWidget(self.sign_in)
        self.toolbar.setVisible(False)

    def show_computers(self, email: str) -> None:
        self.account.setText(email)
        self.pages.setCurrentWidget(self.computers)
        self.toolbar.setVisible(True)
