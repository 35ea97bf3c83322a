"""The Textual front end: the full-screen sign-in kiosk and its admin screen.

Only this package imports ``textual``; everything it shows comes from ``kiosk.i18n.t``.
"""
