"""Trust at the door (data side): refusals of future times, control characters, odd files,
over-long sessions, daylight-saving gaps, and clearer database errors."""

MESSAGES: dict[str, tuple[str, str]] = {
    "reason.future_time": ("签到时间晚于当前时间,不能登记未来的签到", "The sign-in time is in the future"),
    "host.refused.future_time": ("补签时间晚于当前时间,不能登记未来的签到", "That time is in the future: a manual sign-in records an arrival that has happened"),
    "host.refused.control_chars": ("原因中含有控制字符", "The reason contains control characters"),
    "import.control_chars": (
        "{column} 含有控制字符(第 {position} 个字符 {char})",
        "{column} contains a control character (character {position}, {char})",
    ),
    "cli.option_control_chars": (
        "{option} 含有控制字符(第 {position} 个字符 {char})",
        "{option} contains a control character (character {position}, {char})",
    ),
    "import.formula_cell": (
        "{column} 是公式但没有保存计算结果,请在表格软件中将文件另存为数值后再导入",
        "{column}: a formula, save the file with values",
    ),
    "import.formula_without_value": (
        "第 {line} 行,{column}:是公式但没有保存计算结果,请在表格软件中将文件另存为数值后再导入",
        "line {line}, {column}: a formula, save the file with values",
    ),
    "import.xlsx_too_big": (
        "XLSX 文件解压后有 {size} MB,超过 {limit} MB 的上限,未读取",
        "the XLSX file unzips to {size} MB, over the {limit} MB limit; it was not read",
    ),
    "import.duplicate_column": ("表头中“{column}”列出现了两次", "the header names the column {column!r} twice"),
    "col.audience": ("参加对象", "Audience"),
    "cli.session_too_long": (
        "一场学习最长 24 小时(多日培训请每天安排一场)",
        "a session lasts at most 24 hours (add one session per day for a multi-day training)",
    ),
    "cli.time_nonexistent": (
        "时间 {value} 在时区 {tz} 中不存在(夏令时调整时跳过了这段时间)",
        "the time {value} does not exist in {tz} (skipped by the daylight-saving change)",
    ),
    "cli.time_ambiguous": (
        "时间 {value} 在时区 {tz} 中出现两次(夏令时结束时重复),无法确定是哪一个",
        "the time {value} occurs twice in {tz} (repeated by the daylight-saving change); it is ambiguous",
    ),
    "cli.db_damaged": (
        "数据库文件已损坏:{path}(请从备份恢复)",
        "the database file is damaged: {path} (restore it from a backup)",
    ),
    "sync.central_not_initialised": (
        "中心数据库 {where} 尚未初始化,请在中心执行 kiosk init --db URL",
        "The central database {where} is not initialised; run kiosk init --db URL against it",
    ),
    "cli.db_not_initialised_at": (
        "数据库 {where} 尚未初始化,请先运行 kiosk init --db URL",
        "the database {where} is not initialised; run `kiosk init --db URL` first",
    ),
    "doctor.not_initialised": ("尚未初始化", "not initialised"),
    "doctor.fix.init_db": ("运行 kiosk init --db URL", "run kiosk init --db URL"),
    "doctor.centre_not_initialised": ("{where} 可达,但尚未初始化", "{where} reachable but not initialised"),
    "doctor.centre_old": ("{where} 可达,但结构版本过旧", "{where} reachable, its schema is older than this release"),
    "doctor.fix.init_centre": ("在中心执行 kiosk init --db URL", "run kiosk init --db URL against the centre"),
}
