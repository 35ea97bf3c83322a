"""study-kiosk: a full-screen terminal attendance kiosk for an office's study sessions."""

__version__ = "0.1.0"
