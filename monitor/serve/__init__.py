"""`monitor serve`: the archive as a place to read (app.py: routes and rendering; views.py:
what each page shows, read from the archive)."""
