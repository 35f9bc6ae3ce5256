"""FileOrganizer Pro: scan, deduplicate, organize and watch folders."""

__version__ = "0.1.0"
APP_NAME = "FileOrganizer Pro"
