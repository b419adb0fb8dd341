"""Per-chapter checks used by the notebooks' test cells."""
