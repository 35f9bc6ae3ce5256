"""The pages of the main window; each is a QWidget with ``on_shown()`` and ``refresh_theme()``."""
