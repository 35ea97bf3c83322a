"""Fleet strings: bounded central rounds, ``kiosk fleet`` and the doors on the host view."""

MESSAGES: dict[str, tuple[str, str]] = {
    "fleet.stalled": (
        "中心数据库 {where} 停止应答({seconds} 秒内无回复),本轮同步已中止",
        "The central database {where} stopped answering (no reply within {seconds} s); this round was abandoned",
    ),
    "fleet.none": ("还没有终端与本中心同步过", "No kiosk has synced with this centre yet"),
    "fleet.col.kiosk_id": ("终端", "kiosk"),
    "fleet.col.last_seen": ("最近联系", "last seen"),
    "fleet.col.events_today": ("今日记录", "today"),
    "fleet.col.queued": ("待上传", "queued"),
    "fleet.col.clock_offset_s": ("时钟偏差", "clock"),
    "fleet.col.version": ("版本", "version"),
    "fleet.col.flags": ("状态", "state"),
    "fleet.flag.clock_skew": ("时钟偏差 {offset}", "clock off by {offset}"),
    "fleet.flag.silent": ("已 {minutes} 分钟无联系", "silent for {minutes} min"),
    "fleet.flag.clock_unknown": ("时钟未知(数据无效)", "clock unknown (invalid value)"),
    "fleet.flag.count_unknown": ("今日记录数无效", "today's count invalid"),
    "fleet.flag.queue_unknown": ("待上传数无效", "queue count invalid"),
    "fleet.flag.duplicate_id": ("另一台终端也在用这个编号(请在其中一台的 config.toml [kiosk] id 改名)",
                                "another home uses this id too (rename one in its config.toml [kiosk] id)"),
    "fleet.id_assigned": ("本机终端编号:{kiosk}(已写入 config.toml [kiosk] id,可改)",
                          "This kiosk's id: {kiosk} (written to config.toml [kiosk] id; you may change it)"),
    "fleet.unknown": ("未知", "unknown"),
    "fleet.summary": ("共 {count} 台终端,{flagged} 台需要注意", "{count} kiosks, {flagged} need attention"),
    # the door's sync mark when the centre answered but the round did not go through
    "fleet.sync.failing": ("● 同步出错,未上传", "● sync refused, nothing sent"),
    # the host view's doors panel
    "fleet.doors": ("终端({count}):", "Doors ({count}):"),
    "fleet.door.ok": ("{kiosk} ✓{events}", "{kiosk} ✓{events}"),
    "fleet.door.queued": ("{kiosk} ✓{events} 待{queued}", "{kiosk} ✓{events} q{queued}"),
    "fleet.door.silent": ("{kiosk} ⚠失联{minutes}分", "{kiosk} ⚠silent {minutes}m"),
    "fleet.door.duplicate": ("{kiosk} ⚠编号重复", "{kiosk} ⚠id shared"),
    "fleet.door.unknown": ("{kiosk} ⚠数据无效", "{kiosk} ⚠bad data"),
    "fleet.door.skew": ("{kiosk} ⚠时钟{offset}", "{kiosk} ⚠clock {offset}"),
}
