"""The app's library side: who may reach it and what they may do (``access``)."""
