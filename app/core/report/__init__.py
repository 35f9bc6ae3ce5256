"""Reports: the data model and its CSV/JSON writers (``model``), rendered to one self-contained
HTML file (``html``, ``style``)."""
