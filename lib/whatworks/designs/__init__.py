"""One research design per module; see ARCHITECTURE.md."""
