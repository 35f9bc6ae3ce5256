"""The backend API (FastAPI). Stands alone: shares only data shapes with the app."""
