"""Figure builders: traces from ``core`` in, plotly figures or markup out.  Never call ``st.*``."""
