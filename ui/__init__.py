"""Streamlit glue shared by the pages: the cached engine, the user's language, common widgets."""
