"""The name the login entries show (also the Windows installer's AppName)."""

APP_NAME = "FileOrganizer Pro"
