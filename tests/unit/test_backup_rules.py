"""Backup names, the daily schedule and retention (issue 15, core.backup.rules): pure, on a pinned clock."""

from datetime import UTC, datetime, timedelta

from core.backup.rules import DAILY_HOUR, daily_due, expired, file_name, taken_at

NOW = datetime(2026, 12, 31, 20, 30, tzinfo=UTC)  # 04:30 on 1 January, Shanghai time: a year end


def test_a_backup_is_named_by_its_utc_time_and_kind_and_read_back():
    assert file_name(NOW, "sqlite") == "office-20261231T203000Z.sqlite"
    assert file_name(NOW, "postgresql") == "office-20261231T203000Z.dump"
    assert taken_at(file_name(NOW, "postgresql")) == NOW
    for other in ("notes.txt", "office-20261231T203000Z.sqlite.part", "office-2026.sqlite",
                  "xoffice-20261231T203000Z.dump"):
        assert taken_at(other) is None


def test_the_daily_backup_is_due_once_per_office_day_from_its_hour():
    tz = "Asia/Shanghai"
    before_hour = datetime(2026, 12, 31, 17, 59, tzinfo=UTC)  # 01:59 on 1 January, office time
    assert DAILY_HOUR == 2
    assert not daily_due([], before_hour, tz)
    assert daily_due([], NOW, tz)
    yesterday = file_name(datetime(2026, 12, 30, 18, 0, tzinfo=UTC), "sqlite")  # 02:00 on 31 December
    assert daily_due([yesterday], NOW, tz)
    today = file_name(datetime(2026, 12, 31, 18, 0, tzinfo=UTC), "sqlite")  # 02:00 on 1 January
    assert not daily_due([yesterday, today], NOW, tz)
    assert not daily_due([today], NOW + timedelta(hours=19), tz)  # 23:30 the same office day
    assert daily_due([today], NOW + timedelta(hours=22), tz)  # 02:30 the next day


def test_retention_deletes_backups_older_than_the_setting_never_the_newest_nor_other_files():
    names = [file_name(NOW - timedelta(days=d, hours=1), "sqlite") for d in (0, 6, 7, 8, 30)] + ["notes.txt"]
    assert sorted(expired(names, NOW, 7)) == sorted(names[2:5])
    assert expired(names, NOW, 60) == []
    old = file_name(NOW - timedelta(days=90), "postgresql")
    assert expired([old, "notes.txt"], NOW, 7) == []  # the only backup stays, however old


def test_the_night_the_clocks_go_back_has_one_daily_backup():
    """Europe/Berlin, 25 October 2026: 02:00-03:00 comes twice; a backup at the first 02:15 is the day's."""
    tz = "Europe/Berlin"
    first = datetime(2026, 10, 25, 0, 15, tzinfo=UTC)  # 02:15 CEST
    second = datetime(2026, 10, 25, 1, 15, tzinfo=UTC)  # 02:15 CET, an hour later
    assert daily_due([], first, tz)
    assert not daily_due([file_name(first, "sqlite")], second, tz)
    spring = datetime(2026, 3, 29, 1, 0, tzinfo=UTC)  # 03:00 CEST: 02:00 never came that night
    assert daily_due([file_name(spring - timedelta(days=1), "sqlite")], spring, tz)
