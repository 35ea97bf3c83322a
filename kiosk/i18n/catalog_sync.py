"""Sync strings: the ``kiosk sync`` command and the kiosk's sync status mark."""

MESSAGES: dict[str, tuple[str, str]] = {
    "sync.no_central": (
        "未配置中心数据库:请使用 --central URL、KIOSK_CENTRAL 或 config.toml 中的 [sync] central",
        "No central database configured: use --central URL, KIOSK_CENTRAL or [sync] central in config.toml",
    ),
    "sync.bad_url": ("中心数据库地址无效:{detail}", "Invalid central database URL: {detail}"),
    "sync.unreachable": ("无法连接中心数据库 {where}:{detail}", "Cannot reach the central database {where}: {detail}"),
    "sync.central_schema": (
        "中心数据库 {where} 的结构版本过旧,请在中心执行 kiosk init --db URL",
        "The central database {where} has an older schema; run kiosk init --db URL against it",
    ),
    "sync.failed": ("与中心数据库 {where} 同步失败:{detail}", "Sync with the central database {where} failed: {detail}"),
    "sync.done": (
        "已与中心数据库 {where} 同步:上传 {pushed} 条,更新 {pulled} 条,待上传 {queued} 条",
        "Synced with the central database {where}: pushed {pushed}, pulled {pulled}, {queued} still queued",
    ),
    "sync.queued": ("仍有 {queued} 条签到记录待上传(已安全保存在本机)", "{queued} events still queued (kept safely on this kiosk)"),
    "sync.remembered": ("已在 {path} 记住中心数据库 {where}", "Remembered the central database {where} in {path}"),
    "sync.config_unwritable": ("无法写入配置文件 {path}", "Cannot write the configuration file {path}"),
    "sync.same_database": (
        "中心数据库 {where} 就是本机数据库,无需同步",
        "The central database {where} is this home's own database: nothing to sync",
    ),
    "sync.retry_in": ("{seconds} 秒后重试", "retrying in {seconds} s"),
    "sync.stopped": ("同步已停止", "Sync stopped"),
    "sync.local_server": ("本机数据库未初始化:请先执行 kiosk init", "The local database is not initialised: run kiosk init first"),
    # the kiosk's status mark
}
