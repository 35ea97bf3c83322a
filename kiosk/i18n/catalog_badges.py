"""Strings of the badge feature: keys, badge printing and revocation, the webcam reader."""

MESSAGES: dict[str, tuple[str, str]] = {
    # signing key
    "keys.created": ("已生成胸卡签名密钥(指纹 {fingerprint}),私钥保存在 {path},公钥已写入数据库", "Badge signing key created (fingerprint {fingerprint}); private key in {path}, public key published to the database"),
    "keys.present": ("胸卡签名密钥已存在(指纹 {fingerprint}):{path}", "Badge signing key present (fingerprint {fingerprint}): {path}"),
    "keys.published": ("已将本机胸卡公钥写入数据库(指纹 {fingerprint})", "Published this home's badge verify key to the database (fingerprint {fingerprint})"),
    "keys.rotated": ("已更换胸卡签名密钥(新指纹 {fingerprint},私钥 {path});旧胸卡全部失效,请重新打印", "Badge signing key rotated (new fingerprint {fingerprint}, private key {path}); every older badge is now invalid: re-print them"),
    "keys.mismatch": ("注意:本机私钥(指纹 {home_fp})与数据库中的胸卡公钥(指纹 {db_fp})不一致,未作改动;本机制作的胸卡将无法通过验证。如需以本机密钥替换,请执行 kiosk keys init --rotate", "Note: this home's private key (fingerprint {home_fp}) does not match the database's badge verify key ({db_fp}); nothing changed. Badges made here would not verify. To replace it with a new key, run kiosk keys init --rotate"),
    "keys.published_elsewhere": ("注意:数据库已有另一台管理机生成的胸卡公钥(指纹 {fingerprint}),本机不生成私钥,也未覆盖该公钥。只能在持有该私钥的管理机上制作胸卡;私钥丢失时请执行 kiosk keys init --rotate 并重新打印全部胸卡", "Note: the database already holds a badge verify key made on another home (fingerprint {fingerprint}); no private key was made here and the published key was left as it is. Make badges on the home that holds that key; if it is lost, run kiosk keys init --rotate and re-print every badge"),
    "keys.none_here": ("本机没有胸卡签名私钥({path}),不能制作胸卡:请在管理机上操作", "This home has no badge signing key ({path}), so it cannot make badges: use the admin's home"),
    "keys.unreadable": ("胸卡签名私钥文件无法读取或已损坏:{path}", "The badge signing key file is unreadable or damaged: {path}"),
    "keys.not_published": ("数据库中没有胸卡公钥:请先在管理机上执行 kiosk keys init", "The database holds no badge verify key: run kiosk keys init on the admin's home first"),
    "keys.wrong_key": ("本机私钥(指纹 {home_fp})与数据库中的胸卡公钥(指纹 {db_fp})不一致,制作的胸卡将无法通过验证,已拒绝", "This home's private key ({home_fp}) does not match the database's badge verify key ({db_fp}); badges made here would not verify, so none were made"),
    "keys.show_home": ("本机私钥:{path}(指纹 {fingerprint})", "Private key in this home: {path} (fingerprint {fingerprint})"),
    "keys.show_none": ("本机没有胸卡签名私钥(仅能验证胸卡)", "This home holds no badge signing key (it can verify badges, not make them)"),
    "keys.show_db": ("数据库中的胸卡公钥指纹:{fingerprint}", "Badge verify key in the database: fingerprint {fingerprint}"),
    "keys.show_db_none": ("数据库中没有胸卡公钥", "The database holds no badge verify key"),
    "keys.show_db_unreachable": ("无法读取数据库中的胸卡公钥:{detail}", "Could not read the database's badge verify key: {detail}"),
    "keys.show_match": ("本机私钥与数据库公钥一致", "This home's key matches the database's verify key"),
    "keys.show_mismatch": ("本机私钥与数据库公钥不一致!", "This home's key does NOT match the database's verify key!"),
    # badge commands
    "badge.unknown_staff": ("查无此人:{ids}", "Unknown staff ID: {ids}"),
    "badge.unknown_department": ("没有这个部门:{department}", "No such department: {department}"),
    "badge.nothing_to_do": ("没有需要制作胸卡的人员", "Nobody to make a badge for"),
    "badge.inactive": ("注意:{staff_id} {name} 已不在职,其胸卡签到会被拒绝", "Note: {staff_id} {name} is inactive; their badge will be refused at sign-in"),
    "badge.made": ("已制作 {count} 张胸卡:{path}", "Made {count} badges: {path}"),
    "badge.out_dash": ("只有 --format html 可以输出到标准输出(--out -)", "Only --format html can be written to standard output (--out -)"),
    "badge.out_not_dir": ("输出位置不是文件夹:{path}", "The output is not a folder: {path}"),
    "badge.progress": ("正在制作胸卡 {done}/{total}", "Making badges {done}/{total}"),
    "badge.revoked": ("已作废 {staff_id} {name} 的旧胸卡(版本 {old} → {new});请重新制作:kiosk badge make {staff_id}", "Revoked the old badges of {staff_id} {name} (version {old} → {new}); make a new one: kiosk badge make {staff_id}"),
    "badges.sheet_title": ("{office} 胸卡", "{office} badges"),
    "badges.sheet_hint": ("共 {count} 张胸卡,每页 10 张。请按 100% 比例在 A4 纸上打印,沿裁切线裁开。", "{count} badges, 10 a page. Print on A4 at 100 % scale and cut along the crop marks."),
    # webcam
    "camera.missing_extra": ("未安装摄像头扫码组件:pip install 'study-kiosk[camera]'", "Camera support is not installed: pip install 'study-kiosk[camera]'"),
    "camera.cannot_open": ("无法打开摄像头或视频源,请使用扫码枪或输入工号", "Cannot open the camera or video source; use the scanner or type your ID"),
    "camera.failed": ("摄像头已停止工作,请使用扫码枪或输入工号", "The camera stopped working; use the scanner or type your ID"),
}
