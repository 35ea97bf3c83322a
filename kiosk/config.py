"""Settings in one place: ``KIOSK_HOME``, its ``config.toml``, and environment overrides.

Precedence: command-line option > environment (``KIOSK_DB``, ``KIOSK_TZ``, ``KIOSK_LANG``,
``KIOSK_CENTRAL``) > ``config.toml`` in ``KIOSK_HOME`` > defaults. Everything is validated here at
start-up so the rest of the program can trust it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from kiosk import card_numbers
from kiosk.i18n import language_from_environment, normalise

APP_NAME = "study-kiosk"
CONFIG_FILE = "config.toml"
DEFAULT_TZ = "Asia/Shanghai"


class ConfigError(ValueError):
    """The configuration file or an override is invalid; the message says where.

    ``key`` is a catalogue key (kiosk/i18n/catalog_ops.py) and ``fields`` its values, so the
    message is in the reader's language: ``str()`` translates when it is shown (the language is
    only known once the settings are read). A plain message with no key is shown as it is.
    """

    def __init__(self, key: str, **fields: object) -> None:
        super().__init__(key)
        self.key = key
        self.fields = fields

    def __str__(self) -> str:
        from kiosk.i18n import TABLE, t

        if TABLE.get(self.key) is None:
            return self.key
        return t(self.key, **self.fields)


@dataclass(frozen=True)
class Target:
    """An annual study target: who (``all`` or ``group:NAME``), metric, amount, optional kinds.

    ``metric``: ``hours`` (session credit hours plus credited hours), ``sessions`` (sessions
    attended) or ``articles`` (credits of kind ``article``). ``kinds`` narrows the sessions by
    session kind; ``sources`` narrows where an ``hours`` target's hours come from — ``sessions``
    and/or credit kinds (``article``, ``self_study``, ``training``, ``trip``, ``other``); empty =
    every source.
    """

    name: str
    who: str = "all"
    metric: str = "hours"  # hours | sessions | articles
    required: float = 50
    kinds: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()


TARGET_METRICS = ("hours", "sessions", "articles")
# where an hours target's hours come from: the sessions, and the credit kinds (db.credits.KINDS)
TARGET_SOURCES = ("sessions", "article", "self_study", "training", "trip", "other")

DEFAULT_TARGETS = (
    Target(name="年度学习学时", who="all", metric="hours", required=50),
    Target(name="中心组集中学习", who="group:中心组", metric="sessions", required=15,
           kinds=("central_group",)),
)


@dataclass(frozen=True)
class Settings:
    home: Path
    db_url: str
    tz_name: str = DEFAULT_TZ
    lang: str = "zh"
    kiosk_id: str = "kiosk-1"
    allow_typed_id: bool = True
    office_name: str = ""
    # [office] bulletin_first_issue: the bulletin's running 第N期 count continues from it
    bulletin_first_issue: int | None = None
    central_url: str | None = None
    sync_interval: float = 10.0
    # bounds of every central round (SPEC §8), [sync] connect_timeout / statement_timeout /
    # read_timeout in seconds: see db.database.Timeouts
    sync_timeouts: tuple[float, float, float] = (10.0, 10.0, 10.0)
    signout_grace: int = 10
    warn_rate_below: float = 0.8
    warn_absences_over: int = 1
    targets: tuple[Target, ...] = DEFAULT_TARGETS
    cards_enabled: bool = True
    card_formats: tuple[str, ...] = card_numbers.DEFAULT_FORMATS
    raw: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.tz_name)

    @property
    def is_sqlite(self) -> bool:
        return self.db_url.startswith("sqlite")

    def with_overrides(self, **changes) -> Settings:
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


def default_home() -> Path:
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False)


def home_from_environment(environ=None) -> Path:
    environ = os.environ if environ is None else environ
    value = environ.get("KIOSK_HOME")
    return Path(value).expanduser() if value else default_home()


def sqlite_url_for(home: Path) -> str:
    return f"sqlite:///{(home / 'kiosk.db').resolve()}"


def load(environ=None, *, db: str | None = None, lang: str | None = None,
         home: Path | None = None) -> Settings:
    """Read the settings for this process. Raises :class:`ConfigError` with a clear message."""
    environ = os.environ if environ is None else environ
    home = home or home_from_environment(environ)
    raw = _read_toml(home / CONFIG_FILE)
    kiosk = _table(raw, "kiosk")
    database = _table(raw, "database")
    sync = _table(raw, "sync")
    office = _table(raw, "office")
    reports = _table(raw, "reports")
    cards = _table(raw, "cards")
    tz_name = environ.get("KIOSK_TZ") or kiosk.get("timezone") or DEFAULT_TZ
    _check_tz(tz_name, "KIOSK_TZ" if environ.get("KIOSK_TZ") else "[kiosk] timezone")
    if lang:
        language = normalise(lang)
    elif environ.get("KIOSK_LANG"):
        language = normalise(environ["KIOSK_LANG"])
    elif kiosk.get("lang"):
        language = normalise(str(kiosk["lang"]))
    else:
        language = language_from_environment(environ)
    url = db or environ.get("KIOSK_DB") or database.get("url") or sqlite_url_for(home)
    return Settings(
        home=home,
        db_url=str(url),
        tz_name=str(tz_name),
        lang=language,
        kiosk_id=_text(str(kiosk.get("id", "kiosk-1"))[:64], "kiosk.id"),
        allow_typed_id=_bool(kiosk.get("allow_typed_id", True), "kiosk.allow_typed_id"),
        office_name=_text(str(office.get("name", "")), "office.name"),
        bulletin_first_issue=_first_issue(office.get("bulletin_first_issue")),
        central_url=environ.get("KIOSK_CENTRAL") or sync.get("central"),
        sync_interval=_number(sync.get("interval", 10), "sync.interval", minimum=1),
        sync_timeouts=tuple(_number(sync.get(name, 10), f"sync.{name}", minimum=1)
                            for name in ("connect_timeout", "statement_timeout", "read_timeout")),
        signout_grace=int(_number(kiosk.get("signout_grace", 10), "kiosk.signout_grace")),
        warn_rate_below=_number(reports.get("warn_rate_below", 0.8), "reports.warn_rate_below"),
        warn_absences_over=int(_number(reports.get("warn_absences_over", 1),
                                       "reports.warn_absences_over")),
        targets=_targets(raw.get("targets")),
        cards_enabled=_bool(cards.get("enabled", True), "cards.enabled"),
        card_formats=_card_formats(cards.get("formats")),
        raw=raw,
    )


def _read_toml(path: Path) -> dict:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return {}
    except PermissionError:
        raise ConfigError("config.unreadable_permission", path=path) from None
    except OSError as exc:
        raise ConfigError("config.unreadable", path=path, kind=exc.__class__.__name__) from None
    import tomllib  # only when there is a file: every `kiosk` command starts here

    try:
        return tomllib.loads(data.decode("utf-8"))
    except tomllib.TOMLDecodeError as exc:
        import re

        where = re.search(r"at line (\d+), column (\d+)", str(exc))
        if where:
            raise ConfigError("config.toml_syntax", path=path, line=where[1], column=where[2]) from None
        raise ConfigError("config.toml_invalid", path=path) from None
    except UnicodeDecodeError:
        raise ConfigError("config.not_utf8", path=path) from None


def _table(raw: dict, name: str) -> dict:
    value = raw.get(name, {})
    if not isinstance(value, dict):
        raise ConfigError("config.not_table", name=name)
    return value


def _text(value: str, where: str) -> str:
    """A text setting that is shown and stored: control characters refused (SPEC §7)."""
    from kiosk.text_safety import escape_char, first_control

    position = first_control(value)
    if position is not None:
        raise ConfigError("config.control_char", where=where, char=escape_char(value[position - 1]),
                          position=position)
    return value


def _check_tz(name: str, where: str) -> None:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError("config.unknown_tz", where=where, name=name) from None


def _bool(value, where: str) -> bool:
    if isinstance(value, bool):
        return value
    raise ConfigError("config.not_bool", where=where)


def _number(value, where: str, minimum: float = 0) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < minimum:
        raise ConfigError("config.not_number", where=where, minimum=minimum)
    return float(value)


def _first_issue(value) -> int | None:
    """``[office] bulletin_first_issue``: a whole number ≥ 1 (the office printed 47 issues by
    hand: 48), or absent — then the bulletin is numbered per year."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 1_000_000:
        raise ConfigError("records.config.first_issue", value=value)
    return value


def _card_formats(value) -> tuple[str, ...]:
    """``[cards] formats``: the card-number forms this office's readers type, in the order a
    scan's readings are tried (kiosk.card_numbers); default: all four common ones."""
    if value is None:
        return card_numbers.DEFAULT_FORMATS
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise ConfigError("config.card_formats", known=", ".join(card_numbers.FORMATS))
    try:
        return card_numbers.check_formats(value)
    except ValueError as exc:
        raise ConfigError("config.card_format_unknown", name=str(exc),
                          known=", ".join(card_numbers.FORMATS)) from None


def _targets(value) -> tuple[Target, ...]:
    if value is None:
        return DEFAULT_TARGETS
    if not isinstance(value, list):
        raise ConfigError("config.targets_list")
    targets = []
    for i, item in enumerate(value, 1):
        if not isinstance(item, dict) or "name" not in item or "required" not in item:
            raise ConfigError("config.target_needs", index=i)
        metric = item.get("metric", "hours")
        if metric not in TARGET_METRICS:
            raise ConfigError("config.target_metric", index=i)
        sources = item.get("sources", ())
        if not isinstance(sources, list | tuple) or not set(map(str, sources)) <= set(TARGET_SOURCES):
            raise ConfigError("config.target_sources", index=i, known=", ".join(TARGET_SOURCES))
        who = str(item.get("who", "all"))
        if who != "all" and not who.startswith("group:"):
            raise ConfigError("config.target_who", index=i)
        targets.append(Target(
            name=str(item["name"]), who=who, metric=metric,
            required=_number(item["required"], f"targets #{i}.required"),
            kinds=tuple(str(k) for k in item.get("kinds", ())),
            sources=tuple(str(k) for k in sources),
        ))
    return tuple(targets)
