"""Study-record strings: a month in progress, credits, the Word bulletin, a person's record."""

MESSAGES: dict[str, tuple[str, str]] = {
    # a month in progress
    "records.bulletin.as_of": ("截至{month}月{day}日,", "As of {month}/{day}: "),
    "records.bulletin.only_running": (
        "本月已开始的集中学习{count}次尚在进行中,结束后计入统计。",
        "{count} study session(s) of this month are under way; they are counted once they end.",
    ),
    "records.bulletin.none_yet": ("本月尚未组织集中学习。", "No study session has been held yet this month."),
    "records.bulletin.running": (
        "另有{count}次集中学习尚在进行中,结束后计入统计。",
        "{count} more session(s) are under way and will be counted once they end.",
    ),
    "report.col.in_progress": ("进行中场次", "Sessions under way"),
    "report.col.state": ("状态", "State"),
    "records.state.finished": ("已结束", "finished"),
    "records.state.in_progress": ("进行中", "under way"),
}
