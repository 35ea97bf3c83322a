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
    # credits
    "records.credit_kind.article": ("调研文章/学习体会", "article"),
    "records.credit_kind.self_study": ("个人自学", "self-study"),
    "records.credit_kind.training": ("培训", "training"),
    "records.credit_kind.trip": ("学习考察", "study trip"),
    "records.credit_kind.other": ("其他", "other"),
    "records.credit.bad_kind": ("类型不对:{value}(可选:{choices})", "unknown kind: {value} (one of {choices})"),
    "records.credit.no_staff": ("缺少工号", "the staff ID is missing"),
    "records.credit.no_title": ("缺少标题", "the title is missing"),
    "records.credit.bad_date": ("日期不对:{value}(格式 YYYY-MM-DD)", "bad date: {value} (YYYY-MM-DD)"),
    "records.credit.future_date": ("日期 {value} 晚于今天({today}),不能登记", "the date {value} is after today ({today}); refused"),
    "records.credit.bad_hours": ("学时不对:{value}(须大于0且不超过24)", "bad hours: {value} (more than 0, at most 24)"),
    "records.credit.repeats_line": ("与第 {other} 行重复", "repeats line {other}"),
    "records.credit.repeated_column": ("表头有重复的列名", "the header names a column twice"),
    "records.credit.added": ("已登记:{name} {kind}《{title}》{date}{hours}", "recorded: {name}, {kind} \"{title}\" on {date}{hours}"),
    "records.credit.updated": ("已更新学时:{name} {kind}《{title}》{date}{hours}", "hours updated: {name}, {kind} \"{title}\" on {date}{hours}"),
    "records.credit.unchanged": ("已登记过,未改变:{name} {kind}《{title}》{date}{hours}", "already recorded, unchanged: {name}, {kind} \"{title}\" on {date}{hours}"),
    "records.credit.hours_suffix": (",{hours}学时", ", {hours} h"),
    "records.credit.none": ("没有登记的学时/成果", "no credits recorded"),
    "records.col.date": ("日期", "Date"),
    "records.col.kind": ("类型", "Kind"),
    "records.col.title": ("标题", "Title"),
    "records.col.hours": ("学时", "Hours"),
    "report.metric.articles": ("篇", "articles"),
    "report.col.articles": ("文章篇数", "Articles"),
}
