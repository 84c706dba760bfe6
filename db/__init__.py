"""The data layer: models, engine and sessions, migrations, demo data. No streamlit, no use cases."""
