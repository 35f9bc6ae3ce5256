"""Screenshots of every view with data in it, light and dark, for the README.

    QT_QPA_PLATFORM=offscreen python3 docs/screenshots/make_screenshots.py

Builds two demo folders with ../shared/bench/mkcorpus.py under a temporary folder (with
modification times spread over five years), scans them in a fresh app home, trashes one
duplicate group (so History has an entry), previews a preset, exports a report, and saves
<view>-<light|dark>.png next to this script. Nothing outside the temporary folder changes.

The demo has Chinese and Japanese file names: without a CJK font (Debian: fonts-wqy-microhei)
they show as empty boxes in the pictures.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
# the shared corpus generator lives in shared/bench/ beside the checkout (or a worktree of it)
MKCORPUS = next((p / "shared" / "bench" / "mkcorpus.py" for p in ROOT.parents
                 if (p / "shared" / "bench" / "mkcorpus.py").exists()), ROOT / "mkcorpus.py")


def make_demo(base: Path) -> tuple[Path, Path]:
    photos, downloads = base / "Photos", base / "Downloads"
    for out, files, mb, seed in ((photos, 1500, 40, 3), (downloads, 300, 10, 5)):
        subprocess.run([sys.executable, str(MKCORPUS), str(out), "--files", str(files), "--total-mb",
                        str(mb), "--seed", str(seed)], check=True, capture_output=True)
    rnd, now = random.Random(4), time.time()
    for folder in (photos, downloads):
        for d, _dirs, names in os.walk(folder):
            for name in names:
                t = now - rnd.choice([2, 20, 100, 200, 400, 900, 1500]) * 86400 * rnd.random()
                os.utime(os.path.join(d, name), (t, t))
    return photos, downloads


def shoot(scheme: str, photos: Path, downloads: Path, base: Path) -> None:
    from app.gui import application
    from app.gui.views import duplicates, organizer
    from app.gui.views.rule_editor import RuleEditor

    duplicates.confirm_action = organizer.confirm_action = lambda *a, **k: True
    app = application.make_application([sys.argv[0]])
    ctl = application.Controller(app, [], single_instance=False)
    ctl.theme.set_preference(scheme)
    win = ctl.window
    win.resize(1280, 820)
    win.show()

    def settle() -> None:
        deadline = time.time() + 300
        while ctl.session.jobs.running() and time.time() < deadline:
            app.processEvents()
            time.sleep(0.01)
        for _ in range(10):
            app.processEvents()

    def grab(name: str, widget=None) -> None:
        settle()
        (widget or win).grab().save(str(HERE / f"{name}-{scheme}.png"))

    ctl.session.add_folders([str(photos), str(downloads)], scan=True)
    settle()
    dupes = win.views["duplicates"]
    win.show_view("duplicates")
    settle()
    first = dupes.model.groups[0]
    kept = dupes.model.kept
    dupes.model.set_marks({f.path for f in first.files if f.path != kept.get(0)}, kept)
    dupes.trash_btn.click()
    settle()
    dupes.auto_select()
    grab("duplicates")
    win.show_view("dashboard")
    grab("dashboard")
    org = win.views["organizer"]
    win.show_view("organizer")
    settle()
    org.rules_panel.add_preset("downloads-cleanup")
    settle()
    org.source.setCurrentText(str(downloads))
    org.rule_source.setCurrentIndex(org.rule_source.findData("by-category"))
    org.dest.setText(str(base / "Sorted"))
    org.run_preview()
    settle()
    org.rules_panel.list.setCurrentRow(1)
    grab("organizer")
    reports = win.views["reports"]
    win.show_view("reports")
    reports.path.setText(str(base / "report.html"))
    reports.export()
    grab("reports")
    win.show_view("history")
    grab("history")
    win.show_view("settings")
    grab("settings")
    editor = RuleEditor(win, {"name": "Invoices by year",
                              "conditions": [{"type": "extension", "extensions": [".pdf"]},
                                             {"type": "name", "pattern": "*invoice*", "mode": "glob"}],
                              "actions": [{"type": "move", "to": "Invoices/{year}"},
                                          {"type": "rename", "name": "{year}-{month} {name}"}]},
                        str(base / "Sorted"), str(downloads))
    editor.resize(760, 560)
    editor.show()
    grab("rule-editor", editor)
    editor.close()
    ctl.shutdown()


def main() -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    sys.path.insert(0, str(ROOT))
    scheme = sys.argv[1] if len(sys.argv) > 1 else ""
    if not scheme:     # one process per scheme: each starts from a fresh app home
        for s in ("light", "dark"):
            subprocess.run([sys.executable, __file__, s], check=True)
        return
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        os.environ["FILEORGANIZER_HOME"] = str(base / "home")
        os.environ["XDG_DATA_HOME"] = str(base / "xdg")      # the trash of the demo stays in here
        photos, downloads = make_demo(base / "demo")
        shoot(scheme, photos, downloads, base)


if __name__ == "__main__":
    main()
