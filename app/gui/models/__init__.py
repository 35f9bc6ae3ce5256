"""Qt item models: lazy, one object per model (never a widget per row)."""
