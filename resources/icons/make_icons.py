# ruff: noqa: E501  (SVG path data reads best unbroken)
"""Writes the app's SVG icons in light/ and dark/ from one set of 24x24 line drawings.

Run after changing a drawing: python resources/icons/make_icons.py
Light icons are drawn for light backgrounds (dark strokes) and the reverse.
"""

from pathlib import Path

HERE = Path(__file__).resolve().parent
COLORS = {"light": "#3c4658", "dark": "#d5dbe6"}
ACCENT = {"light": "#2f6fde", "dark": "#6ea2ff"}
DISABLED = {"light": "#a0a7b4", "dark": "#5d6573"}  # the palettes' "disabled" (app/gui/theme.py)
GREYED = ("up", "down")  # drawn greyed too: a spin box's arrow at its limit or disabled

DRAWINGS = {
    "dashboard": '<rect x="3" y="3" width="7" height="9" rx="1.5"/><rect x="14" y="3" width="7" height="5" rx="1.5"/>'
                 '<rect x="14" y="12" width="7" height="9" rx="1.5"/><rect x="3" y="16" width="7" height="5" rx="1.5"/>',
    "organizer": '<path d="M3 6.5A1.5 1.5 0 0 1 4.5 5H9l2 2h8.5A1.5 1.5 0 0 1 21 8.5v9a1.5 1.5 0 0 1-1.5 1.5h-15A1.5 1.5 0 0 1 3 17.5z"/>'
                 '<path d="M8 13h8M12 10v6"/>',
    "duplicates": '<rect x="8" y="8" width="12" height="13" rx="2"/><path d="M16 8V5a2 2 0 0 0-2-2H6a2 2 0 0 0-2 2v10a2 2 0 0 0 2 2h2"/>',
    "reports": '<path d="M14 3H7a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h10a2 2 0 0 0 2-2V8z"/><path d="M14 3v5h5"/>'
               '<path d="M9 17v-3M12 17v-5M15 17v-2"/>',
    "history": '<path d="M3 12a9 9 0 1 0 3-6.7L3 8"/><path d="M3 3v5h5"/><path d="M12 7v5l3 2"/>',
    "settings": '<circle cx="12" cy="12" r="3"/><path d="M19.4 15a1.7 1.7 0 0 0 .3 1.8l.1.1a2 2 0 1 1-2.8 2.8l-.1-.1a1.7 1.7 0 0 0-1.8-.3 '
                '1.7 1.7 0 0 0-1 1.5V21a2 2 0 1 1-4 0v-.1a1.7 1.7 0 0 0-1.1-1.5 1.7 1.7 0 0 0-1.8.3l-.1.1a2 2 0 1 1-2.8-2.8l.1-.1'
                'a1.7 1.7 0 0 0 .3-1.8 1.7 1.7 0 0 0-1.5-1H3a2 2 0 1 1 0-4h.1a1.7 1.7 0 0 0 1.5-1.1 1.7 1.7 0 0 0-.3-1.8l-.1-.1'
                'a2 2 0 1 1 2.8-2.8l.1.1a1.7 1.7 0 0 0 1.8.3H9a1.7 1.7 0 0 0 1-1.5V3a2 2 0 1 1 4 0v.1a1.7 1.7 0 0 0 1 1.5 '
                '1.7 1.7 0 0 0 1.8-.3l.1-.1a2 2 0 1 1 2.8 2.8l-.1.1a1.7 1.7 0 0 0-.3 1.8V9a1.7 1.7 0 0 0 1.5 1H21a2 2 0 1 1 0 4h-.1'
                'a1.7 1.7 0 0 0-1.5 1z"/>',
    "folder-add": '<path d="M3 6.5A1.5 1.5 0 0 1 4.5 5H9l2 2h8.5A1.5 1.5 0 0 1 21 8.5v9a1.5 1.5 0 0 1-1.5 1.5h-15A1.5 1.5 0 0 1 3 17.5z"/>'
                  '<path d="M12 10v6M9 13h6"/>',
    "folder": '<path d="M3 6.5A1.5 1.5 0 0 1 4.5 5H9l2 2h8.5A1.5 1.5 0 0 1 21 8.5v9a1.5 1.5 0 0 1-1.5 1.5h-15A1.5 1.5 0 0 1 3 17.5z"/>',
    "folder-open": '<path d="M3 17.5v-11A1.5 1.5 0 0 1 4.5 5H9l2 2h7.5A1.5 1.5 0 0 1 20 8.5V10"/>'
                   '<path d="M3 17.5 5.6 11h16l-2.6 6.8a1.5 1.5 0 0 1-1.4 1.2H4.5A1.5 1.5 0 0 1 3 17.5z"/>',
    "remove": '<circle cx="12" cy="12" r="9"/><path d="M8 12h8"/>',
    "scan": '<path d="M21 12a9 9 0 0 1-15.5 6.2L3 16"/><path d="M3 21v-5h5"/><path d="M3 12a9 9 0 0 1 15.5-6.2L21 8"/>'
            '<path d="M21 3v5h-5"/>',
    "cancel": '<circle cx="12" cy="12" r="9"/><path d="m9 9 6 6M15 9l-6 6"/>',
    "trash": '<path d="M4 7h16M10 11v6M14 11v6"/><path d="M6 7l1 12a2 2 0 0 0 2 2h6a2 2 0 0 0 2-2l1-12"/>'
             '<path d="M9 7V4.5A1.5 1.5 0 0 1 10.5 3h3A1.5 1.5 0 0 1 15 4.5V7"/>',
    "link": '<path d="M10 14a4.5 4.5 0 0 0 6.4 0l3-3a4.5 4.5 0 0 0-6.4-6.4l-1 1"/>'
            '<path d="M14 10a4.5 4.5 0 0 0-6.4 0l-3 3a4.5 4.5 0 0 0 6.4 6.4l1-1"/>',
    "move": '<path d="M3 6.5A1.5 1.5 0 0 1 4.5 5H9l2 2h8.5A1.5 1.5 0 0 1 21 8.5v9a1.5 1.5 0 0 1-1.5 1.5h-15A1.5 1.5 0 0 1 3 17.5z"/>'
            '<path d="M8 13h8M13 10l3 3-3 3"/>',
    "undo": '<path d="M9 14 4 9l5-5"/><path d="M4 9h10.5a5.5 5.5 0 0 1 0 11H11"/>',
    "export": '<path d="M21 15v4a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2v-4"/><path d="m7 10 5 5 5-5M12 15V3"/>',
    "import": '<path d="M21 15v4a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2v-4"/><path d="m17 8-5-5-5 5M12 3v12"/>',
    "browser": '<circle cx="12" cy="12" r="9"/><path d="M3 12h18"/><path d="M12 3a14 14 0 0 1 0 18 14 14 0 0 1 0-18z"/>',
    "reveal": '<path d="M15 3h6v6M10 14 21 3"/><path d="M18 13v6a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2V8a2 2 0 0 1 2-2h6"/>',
    "search": '<circle cx="11" cy="11" r="7"/><path d="m20 20-4-4"/>',
    "plus": '<path d="M12 5v14M5 12h14"/>',
    "edit": '<path d="M12 20h9"/><path d="M16.5 3.5a2.1 2.1 0 0 1 3 3L7 19l-4 1 1-4z"/>',
    "copy": '<rect x="9" y="9" width="12" height="12" rx="2"/><path d="M5 15H4a1 1 0 0 1-1-1V4a1 1 0 0 1 1-1h10a1 1 0 0 1 1 1v1"/>',
    "up": '<path d="m18 15-6-6-6 6"/>',
    "down": '<path d="m6 9 6 6 6-6"/>',
    "preview": '<path d="M2 12s3.5-7 10-7 10 7 10 7-3.5 7-10 7S2 12 2 12z"/><circle cx="12" cy="12" r="3"/>',
    "apply": '<path d="M20 6 9 17l-5-5"/>',
    "warning": '<path d="M10.3 3.9 1.8 18a2 2 0 0 0 1.7 3h17a2 2 0 0 0 1.7-3L13.7 3.9a2 2 0 0 0-3.4 0z"/><path d="M12 9v4M12 17h.01"/>',
    "file": '<path d="M14 3H7a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h10a2 2 0 0 0 2-2V8z"/><path d="M14 3v5h5"/>',
    "select": '<rect x="3" y="3" width="18" height="18" rx="3"/><path d="m8 12 3 3 5-6"/>',
    "drop": '<path d="M12 3v12M7 10l5 5 5-5"/><path d="M4 17v2a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2v-2"/>',
}


def svg(body: str, color: str) -> str:
    return ('<svg xmlns="http://www.w3.org/2000/svg" width="24" height="24" viewBox="0 0 24 24" fill="none" '
            f'stroke="{color}" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round">{body}</svg>\n')


BOX = {"light": ("#ffffff", "#9aa3b2"), "dark": ("#1e2228", "#7a8494")}   # fill, border


def checkboxes(theme: str) -> dict[str, str]:
    """Check box indicators for the style sheet: off, on, mixed (and disabled off)."""
    fill, border = BOX[theme]
    accent = ACCENT[theme]
    head = '<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 16 16">'
    off = f'{head}<rect x="1" y="1" width="14" height="14" rx="3.5" fill="{fill}" stroke="{border}" stroke-width="1.3"/></svg>\n'
    box = f'<rect x="0.5" y="0.5" width="15" height="15" rx="4" fill="{accent}"/>'
    on = f'{head}{box}<path d="M4.2 8.3 6.8 10.9 11.8 5.4" fill="none" stroke="#fff" stroke-width="1.9" stroke-linecap="round" stroke-linejoin="round"/></svg>\n'
    mixed = f'{head}{box}<path d="M4.5 8h7" stroke="#fff" stroke-width="1.9" stroke-linecap="round"/></svg>\n'
    radio_off = f'{head}<circle cx="8" cy="8" r="6.6" fill="{fill}" stroke="{border}" stroke-width="1.3"/></svg>\n'
    radio_on = f'{head}<circle cx="8" cy="8" r="7.3" fill="{accent}"/><circle cx="8" cy="8" r="2.8" fill="#fff"/></svg>\n'
    return {"checkbox-off": off, "checkbox-on": on, "checkbox-mixed": mixed, "radio-off": radio_off,
            "radio-on": radio_on}


def main() -> None:
    for theme, color in COLORS.items():
        folder = HERE / theme
        folder.mkdir(exist_ok=True)
        for name, body in DRAWINGS.items():
            (folder / f"{name}.svg").write_text(svg(body, color))
            (folder / f"{name}-accent.svg").write_text(svg(body, ACCENT[theme]))
            (folder / f"{name}-on-accent.svg").write_text(svg(body, "#ffffff"))
            if name in GREYED:
                (folder / f"{name}-disabled.svg").write_text(svg(body, DISABLED[theme]))
        for name, text in checkboxes(theme).items():
            (folder / f"{name}.svg").write_text(text)


if __name__ == "__main__":
    main()
