"""The engine: pure Python on files. Imports no Qt and no database code."""
