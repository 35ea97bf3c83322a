"""Operations strings: backup, restore, doctor, service, crashes, upgrades, the demo home."""

MESSAGES: dict[str, tuple[str, str]] = {
    "backup.done": (
        "已备份到 {path}({size},用时 {seconds} 秒);该文件夹保留 {kept} 份",
        "Backed up to {path} ({size}, {seconds} s); {kept} kept in that folder",
    ),
    "backup.bad_keep": ("--keep 须为不小于 1 的整数", "--keep must be a whole number of at least 1"),
    "backup.failed": ("备份失败:{detail}", "Backup failed: {detail}"),
    "backup.not_embedded": (
        "数据库 {where} 为服务器数据库,请用其自带工具备份(pg_dump / mysqldump)",
        "The database {where} is a server database; back it up with its own tools (pg_dump / mysqldump)",
    ),
    "restore.same_file": ("该文件就是正在使用的数据库,无需恢复", "That file is the database in use; nothing to restore"),
    "restore.not_sqlite": (
        "拒绝恢复 {path}:不是 SQLite 数据库文件,现有数据库未作任何改动",
        "Refused {path}: not an SQLite database file; the current database is unchanged",
    ),
    "restore.damaged": (
        "拒绝恢复 {path}:文件已损坏({detail}),现有数据库未作任何改动",
        "Refused {path}: the file is damaged ({detail}); the current database is unchanged",
    ),
    "restore.not_kiosk": (
        "拒绝恢复 {path}:不是签到系统的数据库(缺少表 {detail})",
        "Refused {path}: not a kiosk database (missing tables {detail})",
    ),
    "restore.newer_schema": (
        "拒绝恢复 {path}:它来自更新的版本(结构版本 {detail}),请先升级本程序",
        "Refused {path}: it comes from a newer release (schema {detail}); upgrade this program first",
    ),
    "restore.done": ("已从 {path} 恢复数据库(结构版本 {version})", "Restored the database from {path} (schema {version})"),
    "restore.kept": ("原数据库已保留为 {path}", "The replaced database is kept as {path}"),
    "restore.needs_init": (
        "该备份来自旧版本(结构版本 {version},当前 {newest}):请运行 kiosk init 升级",
        "This backup is from an older release (schema {version}, now {newest}): run kiosk init to upgrade it",
    ),
    "run.crashed": (
        "程序因内部错误({kind})停止,详情已记入日志 {log}",
        "Stopped by an internal error ({kind}); details are in the log {log}",
    ),
}
