"""Qt keys as the X keysym names the protocol carries (the agent's back-ends translate
them for their own system)."""

from __future__ import annotations

from app.viewer.qt import QtCore

Key = QtCore.Qt.Key
Mod = QtCore.Qt.KeyboardModifier

NAMED_KEYS: dict[Key, str] = {
    Key.Key_Return: "Return",
    Key.Key_Enter: "KP_Enter",
    Key.Key_Backspace: "BackSpace",
    Key.Key_Tab: "Tab",
    Key.Key_Backtab: "Tab",
    Key.Key_Escape: "Escape",
    Key.Key_Delete: "Delete",
    Key.Key_Insert: "Insert",
    Key.Key_Home: "Home",
    Key.Key_End: "End",
    Key.Key_PageUp: "Prior",
    Key.Key_PageDown: "Next",
    Key.Key_Left: "Left",
    Key.Key_Right: "Right",
    Key.Key_Up: "Up",
    Key.Key_Down: "Down",
    Key.Key_Space: "space",
    Key.Key_Shift: "Shift_L",
    Key.Key_Control: "Control_L",
    Key.Key_Alt: "Alt_L",
    Key.Key_AltGr: "ISO_Level3_Shift",
    Key.Key_Meta: "Super_L",
    Key.Key_Super_L: "Super_L",
    Key.Key_Super_R: "Super_R",
    Key.Key_CapsLock: "Caps_Lock",
    Key.Key_NumLock: "Num_Lock",
    Key.Key_Menu: "Menu",
    Key.Key_Print: "Print",
    Key.Key_Pause: "Pause",
    **{getattr(Key, f"Key_F{n}"): f"F{n}" for n in range(1, 25)},
}

MODIFIERS = (
    (Mod.ControlModifier, "ctrl"),
    (Mod.AltModifier, "alt"),
    (Mod.ShiftModifier, "shift"),
    (Mod.MetaModifier, "meta"),
)


def key_name(key: int, text: str) -> str | None:
    """The keysym name of a Qt key: named keys from the table, letters and digits as
    themselves (lower case: Shift travels as a modifier), else the text typed."""
    try:
        named = NAMED_KEYS.get(Key(key))
    except ValueError:
        named = None
    if named is not None:
        return named
    if Key.Key_A <= key <= Key.Key_Z:
        return chr(key).lower()
    if Key.Key_0 <= key <= Key.Key_9:
        return chr(key)
    if len(text) == 1 and text.isprintable():
        return text
    return None


def modifier_names(modifiers: QtCore.Qt.KeyboardModifier) -> tuple[str, ...]:
    return tuple(name for flag, name in MODIFIERS if modifiers & flag)
