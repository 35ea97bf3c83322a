"""Work-card strings: sign-in by card, ``kiosk card``, the roster's card column."""

MESSAGES: dict[str, tuple[str, str]] = {
    "method.card": ("刷卡", "work card"),
    "reason.card_disabled": ("本机未启用刷卡签到,请输入工号或扫码", "This kiosk does not accept work cards; type your staff ID or scan your badge"),
    "card.unknown": ("查无此人:工号不存在,或此卡尚未绑定(请联系管理员)", "Unknown staff ID, or a card not bound to anyone (ask the admin)"),
    "card.typed_id_disabled": ("本机只接受扫码或刷卡签到", "This kiosk accepts QR badges and work cards only"),
    "card.invalid": ("无法识别的卡号:{value}(应为10位十进制或8位十六进制)", "Unreadable card number {value} (10 decimal or 8 hex digits)"),
    "card.unknown_staff": ("工号不存在:{staff_id}", "Unknown staff ID: {staff_id}"),
    "card.inactive_staff": ("{name}({staff_id})已不在职,不能绑定工作证", "{name} ({staff_id}) is not active: no card can be bound"),
    "card.taken": (
        "该卡 {card} 已绑定在职人员 {name}({staff_id});请先解绑:kiosk card unbind {staff_id}",
        "Card {card} is bound to {name} ({staff_id}), who is active; unbind it first: kiosk card unbind {staff_id}",
    ),
    "card.none_bound": ("{name}({staff_id})没有绑定工作证", "{name} ({staff_id}) has no card bound"),
    "card.bound": ("已为 {name}({staff_id})绑定工作证 {card}", "Bound card {card} to {name} ({staff_id})"),
    "card.rebound": ("已为 {name}({staff_id})换绑工作证:{old} → {card}", "Card of {name} ({staff_id}) changed: {old} → {card}"),
    "card.already": ("{name}({staff_id})已绑定此卡 {card},无需更改", "{name} ({staff_id}) already holds card {card}: nothing changed"),
    "card.unbound": ("已解除 {name}({staff_id})的工作证 {card}", "Unbound card {card} from {name} ({staff_id})"),
    "card.released": ("该卡原绑定的离职人员 {ids} 已自动解绑", "The card was released from inactive staff {ids}"),
    "card.shadowed": (
        "注意:此卡号与工号 {ids} 相同,刷此卡将按工号签到 {ids}",
        "Note: this card's number equals staff ID {ids}; a scan of it signs in {ids} (staff IDs match first)",
    ),
    "demo.try_card": ("刷卡示例:{dec10} 或 {hex_reversed}(读卡器的两种输出,{staff_id} 的工作证)", "A work card to type: {dec10} or {hex_reversed} (two readers' forms of {staff_id}'s card)"),
    "col.card": ("卡号", "Card"),
    "import.bad_card": ("{column} 无法识别:{value}(应为10位十进制或8位十六进制)", "unreadable {column} {value} (10 decimal or 8 hex digits)"),
    "import.duplicate_card": ("卡号 {card} 与第 {other} 行重复", "card {card} repeats line {other}"),
    "import.card_taken": ("工号 {staff_id}:卡号 {card} 已属于在职人员 {other}", "staff ID {staff_id}: card {card} belongs to {other}, who is active"),
}
