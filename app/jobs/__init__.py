"""Use cases joining core and store. Each is a plain function taking a Progress;
the CLI calls it directly, the GUI runs it in a QThreadPool worker."""
