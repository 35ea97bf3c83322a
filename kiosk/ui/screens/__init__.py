"""Screens of the kiosk app: the sign-in screen attendees see and the PIN-gated admin screen."""
