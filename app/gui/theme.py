"""Light and dark looks: palettes, the style sheet and the SVG icons, following the system scheme.

The style sheet in resources/styles/app.qss has ${name} placeholders filled from a palette
below; icons come from resources/icons/<light|dark>/. The user setting "theme" is "system"
(follow QStyleHints.colorScheme, live), "light" or "dark".
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from string import Template

from PySide6.QtCore import QObject, QSize, Qt, Signal
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QApplication

RESOURCES = Path(__file__).resolve().parents[2] / "resources"

PALETTES: dict[str, dict[str, str]] = {
    "light": {
        "window": "#f5f6f8",
        "sidebar": "#eceef2",
        "card": "#ffffff",
        "input": "#ffffff",
        "header": "#f7f8fa",
        "alt_row": "#f9fafb",
        "text": "#1d2430",
        "muted": "#667085",
        "disabled": "#a0a7b4",
        "border": "#e1e4ea",
        "border_strong": "#cdd2db",
        "hover": "#e6e9ef",
        "pressed": "#d9dde5",
        "button": "#ffffff",
        "accent": "#2f6fde",
        "accent_hover": "#2761c6",
        "accent_soft": "#dfe9fc",
        "accent_text": "#1f56b8",
        "accent_disabled": "#9db8ec",
        "danger": "#c4322b",
        "danger_soft": "#fbe5e3",
        "track": "#e3e7ee",
        "scroll": "#c5cbd5",
        "ok": "#1f8a4c",
        "warn": "#b7791f",
    },
    "dark": {
        "window": "#1b1e24",
        "sidebar": "#16191e",
        "card": "#23272e",
        "input": "#1e2228",
        "header": "#262a32",
        "alt_row": "#272b33",
        "text": "#e6e9ef",
        "muted": "#98a2b3",
        "disabled": "#5d6573",
        "border": "#323843",
        "border_strong": "#414856",
        "hover": "#2d323b",
        "pressed": "#363c47",
        "button": "#2a2f37",
        "accent": "#4c86f0",
        "accent_hover": "#5b93f5",
        "accent_soft": "#243552",
        "accent_text": "#9cc0ff",
        "accent_disabled": "#34507e",
        "danger": "#f0675e",
        "danger_soft": "#3d2426",
        "track": "#323843",
        "scroll": "#4a5261",
        "ok": "#4cc784",
        "warn": "#e0a84a",
    },
}

# Colors for chart series, readable on both schemes.
SERIES = [
    "#4c86f0",
    "#f29e4c",
    "#4cc38a",
    "#e5607a",
    "#9b7cf0",
    "#3fb6c9",
    "#d6b13c",
    "#8c96a8",
    "#c46fd0",
    "#6fbf4a",
]


def system_is_dark() -> bool:
    hints = QGuiApplication.styleHints()
    return hints.colorScheme() == Qt.ColorScheme.Dark


class Theme(QObject):
    """The current look; emits ``changed`` after it switched (icons and charts repaint)."""

    changed = Signal(str)

    def __init__(self, app: QApplication, preference: str = "system") -> None:
        super().__init__(app)
        self.app = app
        self.preference = preference
        self.name = "light"
        app.setStyle("Fusion")
        app.setProperty("fo_theme_obj", self)  # the app's one theme; an older one stops following
        QGuiApplication.styleHints().colorSchemeChanged.connect(self._on_system_change)
        self.apply()

    def close(self) -> None:
        """Stop following the system (the app is shutting down)."""
        try:
            QGuiApplication.styleHints().colorSchemeChanged.disconnect(self._on_system_change)
        except (RuntimeError, TypeError):
            pass

    def set_preference(self, preference: str) -> None:
        self.preference = preference if preference in ("system", "light", "dark") else "system"
        self.apply()

    def _on_system_change(self, _scheme: Qt.ColorScheme) -> None:
        # Only the app's current theme follows the system. A theme left over from an earlier
        # window (never closed, so never disconnected) would otherwise overwrite the look.
        if self.preference == "system" and self.app.property("fo_theme_obj") is self:
            self.apply()

    def resolved(self) -> str:
        if self.preference in ("light", "dark"):
            return self.preference
        return "dark" if system_is_dark() else "light"

    def color(self, key: str) -> QColor:
        return QColor(PALETTES[self.name][key])

    def apply(self) -> None:
        self.name = self.resolved()
        self.app.setProperty("fo_theme", self.name)
        colors = PALETTES[self.name]
        sheet = style_sheet(self.name)
        if self.app.styleSheet() != sheet:  # re-polishing every widget is costly: only on change
            self.app.setPalette(_qpalette(colors))
            self.app.setStyleSheet(sheet)
        self.changed.emit(self.name)


def _qpalette(c: dict[str, str]) -> QPalette:
    pal = QPalette()
    roles = {
        QPalette.ColorRole.Window: c["window"],
        QPalette.ColorRole.WindowText: c["text"],
        QPalette.ColorRole.Base: c["card"],
        QPalette.ColorRole.AlternateBase: c["alt_row"],
        QPalette.ColorRole.Text: c["text"],
        QPalette.ColorRole.Button: c["button"],
        QPalette.ColorRole.ButtonText: c["text"],
        QPalette.ColorRole.Highlight: c["accent"],
        QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.ToolTipBase: c["card"],
        QPalette.ColorRole.ToolTipText: c["text"],
        QPalette.ColorRole.PlaceholderText: c["muted"],
        QPalette.ColorRole.Link: c["accent_text"],
        QPalette.ColorRole.Mid: c["border"],
        QPalette.ColorRole.Midlight: c["border"],
        QPalette.ColorRole.Light: c["card"],
        QPalette.ColorRole.Dark: c["border_strong"],
    }
    for role, value in roles.items():
        pal.setColor(role, QColor(value))
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.WindowText, QPalette.ColorRole.ButtonText):
        pal.setColor(QPalette.ColorGroup.Disabled, role, QColor(c["disabled"]))
    return pal


@cache
def style_sheet(name: str) -> str:
    template = Template((RESOURCES / "styles" / "app.qss").read_text(encoding="utf-8"))
    icons = (RESOURCES / "icons" / name).as_posix()
    return template.substitute(PALETTES[name], icons=icons)


def current() -> str:
    app = QApplication.instance()
    theme = app.property("fo_theme") if app else None
    return theme if theme in PALETTES else "light"


def palette_color(key: str) -> QColor:
    return QColor(PALETTES[current()][key])


@cache
def _icon(name: str, scheme: str, variant: str) -> QIcon:
    suffix = f"-{variant}" if variant else ""
    path = RESOURCES / "icons" / scheme / f"{name}{suffix}.svg"
    if not path.exists():
        path = RESOURCES / "icons" / f"{name}.svg"
    renderer = QSvgRenderer(str(path))
    icon = QIcon()
    for size in (16, 20, 24, 32, 48, 64):  # rendered sizes cover HiDPI scale factors up to 3x
        pix = QPixmap(QSize(size, size))
        pix.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pix)
        renderer.render(painter)
        painter.end()
        icon.addPixmap(pix)
    return icon


def icon(name: str, variant: str = "") -> QIcon:
    """An icon drawn for the current scheme; variant "accent" or "on-accent" for other colors."""
    return _icon(name, current(), variant)


def app_icon() -> QIcon:
    """The app icon: resources/icon.svg, the one source the installers' icon files are rendered from."""
    return QIcon(str(RESOURCES / "icon.svg"))
