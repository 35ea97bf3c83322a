"""The admin's console (``kiosk admin``): one module per section."""
