"""Strings of the screens' trust work (issue 10): display errors, the PIN gate's lockout."""

MESSAGES: dict[str, tuple[str, str]] = {
    "ui.result.display_error": ("无法显示结果(已记入日志),请再扫一次查看",
                                "The result could not be shown (logged); scan again to see it"),
}
