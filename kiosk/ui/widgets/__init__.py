"""Small display widgets of the kiosk screen (clock, session card, result banner, sync mark)."""
