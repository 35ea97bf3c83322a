"""Signed QR badges: the payload format, verification (kiosks) and signing (admin only)."""
