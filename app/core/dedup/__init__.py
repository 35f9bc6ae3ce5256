"""Duplicates: size groups -> prefix/suffix hash -> full hash -> groups.

``hashing`` reads files, ``online`` hashes partners while the walk runs, ``groups`` forms the
groups from stored hashes, ``keep`` chooses which copy of each group stays."""
