"""Sync strings: the ``kiosk sync`` command and the kiosk's sync status mark."""

MESSAGES: dict[str, tuple[str, str]] = {
    "sync.no_central": (
        "未配置中心数据库:请使用 --central URL、KIOSK_CENTRAL 或 config.toml 中的 [sync] central",
        "No central database configured: use --central URL, KIOSK_CENTRAL or [sync] central in config.toml",
    ),
    "sync.bad_url": ("中心数据库地址无效:{detail}", "Invalid central database URL: {detail}"),
    "sync.rows_held": (
        "中心数据库 {where} 的这些记录正被另一连接占用({seconds} 秒未释放,等待中),下一轮再试",
        "Another connection holds these rows at the central database {where} (waited {seconds} s); "
        "waiting, the next round tries again",
    ),
    "sync.unreachable": ("无法连接中心数据库 {where}:{detail}", "Cannot reach the central database {where}: {detail}"),
    "sync.central_schema": (
        "中心数据库 {where} 的结构版本过旧,请在中心执行 kiosk init --db URL",
        "The central database {where} has an older schema; run kiosk init --db URL against it",
    ),
    "sync.kiosk_id_bound": (
        "中心把本终端的账号绑定在另一个终端编号上(本机为 {kiosk_id}),记录暂存本机、未上传:"
        "终端改名后请中心属主执行 `kiosk centre rebind ROLE {kiosk_id}`;"
        "若与另一台终端共用账号,请为本终端单独授权(kiosk centre grant-door)",
        "The centre binds this door's credential to another kiosk id (this door is {kiosk_id}); "
        "scans are kept here, not pushed: after a rename the centre's owner runs "
        "`kiosk centre rebind ROLE {kiosk_id}`; a door sharing another door's credential needs "
        "a role of its own (kiosk centre grant-door)",
    ),
    "sync.renamed_away": (
        "中心记录:持有本终端账号和安装标识的另一台设备已把终端编号 {kiosk_id} 改为 {now}。"
        "若本终端未被改名,说明它的磁盘被复制:请立即告知中心属主吊销此账号。记录暂存本机、未上传",
        "The centre says another device holding this door's credential and install id renamed "
        "kiosk id {kiosk_id} to {now}. If this door was not renamed, its disk was copied: tell the "
        "centre's owner to revoke this credential now. Scans are kept here, not pushed",
    ),
    "sync.failed": ("与中心数据库 {where} 同步失败:{detail}", "Sync with the central database {where} failed: {detail}"),
    "sync.done": (
        "已与中心数据库 {where} 同步:上传 {pushed} 条,更新 {pulled} 条,待上传 {queued} 条",
        "Synced with the central database {where}: pushed {pushed}, pulled {pulled}, {queued} still queued",
    ),
    "sync.not_applied": (
        "中心保留但未采用本机今天的 {count} 条记录(时间或顺序不符),请主持人核实后补签;详见日志",
        "The centre kept but did not apply {count} of this kiosk's events today (their time or "
        "order); the host can check them and sign people in by hand; see the log",
    ),
    "sync.clock_off": (
        "本机时钟与中心相差 {offset},请校准时钟(超前 15 分钟以上的签到中心不予采用)",
        "This kiosk's clock is off the centre's by {offset}; set it right (the centre does not "
        "apply sign-ins more than 15 minutes ahead)",
    ),
    "sync.kiosk_id_taken": (
        "中心拒绝本机编号 {kiosk}:另一台签到机已在使用它,本机的签到在中心保留但不计入;"
        "请在 config.toml 的 [kiosk] id 中给本机一个自己的编号",
        "The centre refused this kiosk's id {kiosk}: another door already uses it, so this "
        "door's sign-ins are kept there but not counted; give this door its own [kiosk] id in "
        "config.toml",
    ),
    "sync.queued": ("仍有 {queued} 条签到记录待上传(已安全保存在本机)", "{queued} events still queued (kept safely on this kiosk)"),
    "sync.remembered": ("已在 {path} 记住中心数据库 {where}", "Remembered the central database {where} in {path}"),
    "sync.adopt_needs_owner": (
        "已连上 {where},但迁入整个机关需要中心数据库属主的账号(本账号无权写入 {table}):请用属主的地址作 --central",
        "Reached {where}, but moving a whole office there needs the centre owner's credential "
        "(this one may not write {table}): give the owner's URL as --central",
    ),
    "sync.centre_newer": (
        "中心数据库 {where} 已升级到新版本(结构 {centre},本机 {ours}):请先升级本签到机的程序(pip install …;kiosk init)",
        "The central database {where} runs a newer release (schema {centre}, this door {ours}): "
        "upgrade this door's program first (pip install …; kiosk init)",
    ),
    "sync.not_remembered": ("未记住中心数据库 {where}:本轮未能与它同步(请核对地址后重试)",
                            "not remembering the central database {where}: no round with it "
                            "succeeded (check the URL and run again)"),
    "sync.config_names_other": ("注意:{path} 仍指向中心数据库 {where};要改用本次的地址,请修改该文件",
                                "Note: {path} still names the central database {where}; edit it "
                                "to use this one from now on"),
    "sync.config_unwritable": ("无法写入配置文件 {path}", "Cannot write the configuration file {path}"),
    "sync.same_database": (
        "中心数据库 {where} 就是本机数据库,无需同步",
        "The central database {where} is this home's own database: nothing to sync",
    ),
    "sync.retry_in": ("{seconds} 秒后重试", "retrying in {seconds} s"),
    "sync.stopped": ("同步已停止", "Sync stopped"),
    "sync.local_server": ("本机数据库未初始化:请先执行 kiosk init", "The local database is not initialised: run kiosk init first"),
    "sync.foreign_home": (
        "本机数据库有 {staff} 名人员、{sessions} 场学习活动不是来自中心数据库 {where},拒绝同步(两边均未改动);"
        "若要把本机整体迁入一个尚无学习计划的中心,请执行 kiosk sync --adopt --central URL",
        "This home holds {staff} people and {sessions} sessions that did not come from the central "
        "database {where}: refused, nothing changed on either side; to move this home whole to a "
        "centre that holds no plan yet, run kiosk sync --adopt --central URL",
    ),
    "sync.centre_has_plan": (
        "中心数据库 {where} 已有学习计划({sessions} 场),--adopt 只能迁入尚无计划的中心;两边均未改动",
        "The central database {where} already holds a study plan ({sessions} sessions): --adopt only "
        "moves a home to a centre without one; nothing changed",
    ),
    "sync.centre_key_differs": (
        "中心数据库 {where} 已发布另一把胸卡验证公钥,不能迁入本机;两边均未改动",
        "The central database {where} already publishes another badge verify key: this home cannot "
        "move there; nothing changed",
    ),
    "sync.adopted": (
        "已将本机整体迁入中心数据库 {where}:{staff} 名人员、{sessions} 场学习活动、{leaves} 条请假、"
        "{register} 条考勤登记;签到记录随后上传",
        "Moved this home to the central database {where}: {staff} people, {sessions} sessions, "
        "{leaves} leaves, {register} register rows; its events follow with the push",
    ),
    "result.already_named_door": ("{name} 已于 {time} 在 {door} 签到",
                                  "{name}: already signed in at {time} ({door})"),
    "ui.result.already_door": ("已于 {time} 在 {door} 签到", "Already signed in at {time} ({door})"),
    "sync.permission_denied": (
        "中心数据库拒绝访问表 {table}(权限不足,不是结构版本问题):请在中心执行 "
        "`kiosk centre grant-door ROLE`({where})",
        "permission denied for table {table}: run `kiosk centre grant-door ROLE` on the centre "
        "({where})",
    ),
    "centre.not_server": ("角色授权只用于 PostgreSQL 或 MariaDB 中心数据库(--db 为属主的地址)",
                          "Roles exist only on a PostgreSQL or MariaDB centre (--db: the owner's URL)"),
    "centre.rebound": ("已把签到终端账号 {role} 绑定到终端编号 {kiosk_id}(原为 {old})",
                       "Door role {role} is now bound to kiosk id {kiosk_id} (was {old})"),
    "centre.not_a_door": ("{role} 不是本中心的签到终端账号:请先执行 `kiosk centre grant-door {role}`",
                          "{role} is not a door role here: run `kiosk centre grant-door {role}` first"),
    "centre.kiosk_id_held": ("终端编号 {kiosk_id} 已绑定另一个签到终端账号 {other}:请先为 {other} 换绑",
                             "Kiosk id {kiosk_id} is bound to another door role, {other}: rebind {other} first"),
    "centre.bad_kiosk_id": ("终端编号无效:{kiosk_id}(1 至 64 个字符)", "Invalid kiosk id: {kiosk_id} (1 to 64 characters)"),
    "centre.unknown_role": ("数据库中没有角色/账号 {role}:请先由中心管理员创建", "No role or account {role} on the server: create it first"),
    "centre.accounts_unreadable": (
        "无法查到名为 {role} 的账户:{owner} 无权读取 MariaDB 的账户表 mysql.user。请写明主机,如 {role}@'%',"
        "或请数据库管理员执行 GRANT SELECT ON mysql.user TO {owner}",
        "Cannot find the accounts named {role}: {owner} may not read MariaDB's account list "
        "(mysql.user). Name the account with its host, e.g. {role}@'%', or have a server "
        "administrator run GRANT SELECT ON mysql.user TO {owner}",
    ),
    "centre.grant_failed": ("无法向 {role} 授权:{detail}(请用中心数据库属主的地址作 --db)",
                            "Could not grant to {role}: {detail} (use the centre owner's URL as --db)"),
    "centre.granted": ("已在 {where} 授予 {role} {kind}权限:", "Granted {role} the rights of {kind} on {where}:"),
    "centre.revoked": ("已在 {where} 收回 {role} 不再需要的权限:", "Revoked from {role} on {where} (no longer needed):"),
    "centre.schema_open": (
        "{who} 可在 {where} 的模式 {schema} 中创建对象:签到终端可借此以属主身份运行代码。"
        "请由该模式的属主执行 {statement},再重新授权",
        "{who} may create objects in schema {schema} on {where}: a door could then run code with "
        "the owner's rights. Have the schema's owner run {statement}, then grant again",
    ),
    "centre.role_creates": (
        "{who} 仍可在 {where} 的模式 {schema} 中创建对象(经由其所属角色,或它就是模式属主):"
        "请先收回该权限,再重新授权;未授予任何权限",
        "{who} may still create objects in schema {schema} on {where} (through a role it is a "
        "member of, or as the schema's owner): take that away first, then grant again; nothing "
        "was granted",
    ),
    "centre.group_role": (
        "{role} 是不能登录的组角色(或有其他角色是其成员):中心按登录账号识别签到终端,"
        "请为每台终端创建一个可登录的账号并逐个授权(一台终端一个凭据)",
        "{role} is a group role (it cannot log in, or other roles are its members): the centre "
        "knows a door by the login that delivers its events, so grant each door's own login role "
        "(one credential per door)",
    ),
    "init.schema_open": (
        "警告:任何角色都可在模式 {schema} 中创建对象,签到终端可借此以属主身份运行代码;"
        "请由该模式的属主执行 {statement}(kiosk centre grant-* 会在可行时代为执行)",
        "warning: any role may create objects in schema {schema}, which lets a door run code with "
        "the owner's rights; have the schema's owner run {statement} (kiosk centre grant-* runs "
        "it when it may)",
    ),
    "centre.setting_skipped": (
        "未能设置 {role} 的会话限制(需要 CREATEROLE 或超级用户):{statement};请由数据库管理员执行",
        "Could not set {role}'s session bound (needs CREATEROLE or a superuser): {statement}; "
        "have the database administrator run it",
    ),
    "centre.kind.door": ("签到终端", "a door"),
    "centre.kind.host": ("主持人", "a session host"),
    "centre.kind.admin": ("管理员", "an admin"),
    "sync.permission_denied_db": (
        "中心数据库拒绝访问数据库 {database}(权限不足):请在中心执行 `kiosk centre grant-door ROLE`({where})",
        "permission denied for database {database}: run `kiosk centre grant-door ROLE` on the centre "
        "({where})",
    ),
    # the kiosk's status mark
    # a command's database refused a right (FINDINGS 29): named as a grant, never "cannot connect"
    "cli.permission_denied": (
        "数据库拒绝访问表 {table}(权限不足,连接正常):请在中心执行 `kiosk centre grant-{kind} ROLE`",
        "permission denied for table {table}: run `kiosk centre grant-{kind} ROLE` on the centre",
    ),
    "cli.permission_denied_db": (
        "数据库拒绝访问数据库 {database}(权限不足):请在中心执行 `kiosk centre grant-{kind} ROLE`",
        "permission denied for database {database}: run `kiosk centre grant-{kind} ROLE` on the centre",
    ),
    # a roster/plan/card change on a home that mirrors a centre (FINDINGS 31)
    "sync.mirror_refused": (
        "本机镜像中心数据库 {centre}:人员、计划和工作证只能在中心修改,请加 --db 中心数据库地址在那里执行",
        "this home mirrors {centre}: run it there with --db URL (roster, plan and cards are kept at the centre)",
    ),
    # --adopt onto a centre whose roster holds the same staff IDs differently (FINDINGS 37)
    "sync.roster_differs": (
        "中心数据库 {where} 已有 {count} 名同工号人员的姓名或部门与本机不同,未做任何改动:请先核对两边名单;"
        "确认以中心为准时加 --keep-centre-roster 重新执行(本机名单也将改为中心的)",
        "The central database {where} holds {count} people under the same staff ID with another "
        "name or department; nothing was changed. Check both rosters; to keep the centre's records "
        "(here too), run again with --keep-centre-roster",
    ),
    "sync.roster_differs_person": ("{staff_id}:本机 {home},中心 {centre}",
                                   "{staff_id}: here {home}, at the centre {centre}"),
}
