"""Scan: walk folders into file records (``walk``); tell what each file is (``categories``,
``custom_categories``, ``exif``).

First stage of the data flow; ``jobs.scan`` stores what ``walk`` yields."""
