"""Strings of the screens' trust work (issue 10): display errors, the PIN gate's lockout."""

MESSAGES: dict[str, tuple[str, str]] = {
    "ui.result.display_error": ("无法显示结果(已记入日志),请再扫一次查看",
                                "The result could not be shown (logged); scan again to see it"),
    "ui.pin.wrong_left": ("PIN 不正确(再错 {left} 次将暂时锁定)",
                          "Wrong PIN ({left} more and the gate locks for a while)"),
    "ui.pin.locked_wait": ("错误次数过多,已锁定:请 {wait}后再试", "Too many wrong PINs: locked, try again in {wait}"),
    "ui.pin.wait_s": ("{s} 秒", "{s} s"),
    "ui.pin.wait_min": ("{m} 分钟", "{m} min"),
    "ui.pin.wait_min_s": ("{m} 分 {s} 秒", "{m} min {s} s"),
    "ui.pick.hint_typed": ("按数字键直接选择,或 ↑↓ 选择后回车;Esc 取消;刷卡/扫码将关闭此列表",
                           "Press a number to choose, or ↑↓ then Enter; Esc to cancel; a scan closes this list"),
    "ui.pin.unlocked": ("已解除锁定,可以再次输入 PIN", "Unlocked: you can enter the PIN again"),
}
