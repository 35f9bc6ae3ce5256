"""Ready-made rule sets a new user can apply in one step.

Slugs are the CLI's preset names. Relative templates land below the destination
folder (``--dest``; by default the folder being organized, or the home folder for
``downloads-cleanup``, so its images go to ~/Pictures and documents to ~/Documents).
Folders the moves leave empty are removed (undo brings them back); symbolic links stay put.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.core.organize.rules import Rule


@dataclass(frozen=True, slots=True)
class Preset:
    slug: str
    title: str
    description: str
    rules: tuple[dict, ...]
    default_dest: str | None = None    # None: the folder being organized

    def build(self) -> list[Rule]:
        """Fresh, validated Rule objects (new uuids each time)."""
        from app.core.organize.rules import rule_from_dict  # not at import: listing presets needs no rules

        return [rule_from_dict(d, i) for i, d in enumerate(self.rules)]


# Presets remove the folders their moves leave empty (undo creates them again); symbolic
# links are never moved by a preset (rules leave them alone unless they set "symlinks").
_TIDY = {"remove_empty_folders": True}

PRESETS: dict[str, Preset] = {p.slug: p for p in (
    Preset("by-category", "By category",
           "Each file into a folder named after its category: documents, images, audio, video, "
           "archives, code, installers, other.",
           ({"name": "By category", "actions": [{"type": "move", "to": "{category}"}], **_TIDY},)),
    Preset("by-date", "By year and month",
           "Each file into YEAR/MONTH folders by its modification date.",
           ({"name": "By year and month", "actions": [{"type": "move", "to": "{year}/{month}"}], **_TIDY},)),
    Preset("by-extension", "By extension",
           "Each file into a folder named after its extension (lower case, no dot); files without "
           "an extension into no-extension.",
           ({"name": "By extension", "actions": [{"type": "move", "to": "{ext|no-extension}"}], **_TIDY},)),
    Preset("downloads-cleanup", "Clean up Downloads",
           "Installers and archives older than 30 days to the trash, images to Pictures, documents "
           "to Documents.",
           ({"name": "Old installers and archives to the trash",
             "conditions": [{"type": "category", "categories": ["installers", "archives"]},
                            {"type": "modified", "older_than": "30d"}],
             "actions": [{"type": "trash"}], **_TIDY},
            {"name": "Images to Pictures",
             "conditions": [{"type": "category", "categories": ["images"]}],
             "actions": [{"type": "move", "to": "Pictures"}], **_TIDY},
            {"name": "Documents to Documents",
             "conditions": [{"type": "category", "categories": ["documents"]}],
             "actions": [{"type": "move", "to": "Documents"}], **_TIDY}),
           default_dest="~"),
)}


def preset(slug: str) -> Preset:
    """The preset with this slug; KeyError naming the known ones otherwise."""
    try:
        return PRESETS[slug]
    except KeyError:
        raise KeyError(f"unknown preset {slug!r} (known: {', '.join(PRESETS)})") from None
