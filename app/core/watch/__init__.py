"""Watching: filesystem events -> settle ("finished arriving") -> batches for the rules.

``watcher`` runs the observer, ``folders`` says which folders are watched, ``settle`` waits until
a file stops changing, ``finished`` knows partial-download names."""
