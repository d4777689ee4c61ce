"""Streamlit helpers shared by the pages (layout, messages, assets)."""
