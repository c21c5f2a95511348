"""Settings from the environment: strict parsing, and start-up refusing a bad configuration."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from kasane.core.env import env_bool, env_choice, env_int, env_list, env_path, env_str

VAR = "KASANE_TEST_VARIABLE"


@pytest.fixture(autouse=True)
def _clean(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(VAR, raising=False)


class TestEnvBool:
    @pytest.mark.parametrize("value", ["1", "true", "True", "YES", "on", " on "])
    def test_true(self, monkeypatch: pytest.MonkeyPatch, value: str) -> None:
        monkeypatch.setenv(VAR, value)
        assert env_bool(VAR, default=False) is True

    @pytest.mark.parametrize("value", ["0", "false", "FALSE", "no", "Off"])
    def test_false(self, monkeypatch: pytest.MonkeyPatch, value: str) -> None:
        monkeypatch.setenv(VAR, value)
        assert env_bool(VAR, default=True) is False

    @pytest.mark.parametrize("value", [None, "", "   "])
    def test_unset_or_blank_is_the_default(
        self, monkeypatch: pytest.MonkeyPatch, value: str | None
    ) -> None:
        if value is not None:
            monkeypatch.setenv(VAR, value)
        assert env_bool(VAR, default=True) is True
        assert env_bool(VAR, default=False) is False

    @pytest.mark.parametrize("value", ["yes please", "2", "ture", "y", "enabled"])
    def test_anything_else_stops_start_up_naming_the_variable(
        self, monkeypatch: pytest.MonkeyPatch, value: str
    ) -> None:
        monkeypatch.setenv(VAR, value)
        with pytest.raises(ImproperlyConfigured, match=VAR) as caught:
            env_bool(VAR, default=False)
        assert repr(value.strip()) in str(caught.value)


class TestEnvInt:
    @pytest.mark.parametrize(("value", "expected"), [("12", 12), (" 7 ", 7), ("-3", -3), ("0", 0)])
    def test_integers(self, monkeypatch: pytest.MonkeyPatch, value: str, expected: int) -> None:
        monkeypatch.setenv(VAR, value)
        assert env_int(VAR, 99) == expected

    def test_unset_is_the_default(self) -> None:
        assert env_int(VAR, 99) == 99

    @pytest.mark.parametrize("value", ["12abc", "1.5", "twelve", "0x10", "1_000", "１２", "1e3"])
    def test_non_integers_stop_start_up_naming_the_variable(
        self, monkeypatch: pytest.MonkeyPatch, value: str
    ) -> None:
        monkeypatch.setenv(VAR, value)
        with pytest.raises(ImproperlyConfigured, match=f"{VAR} must be an integer"):
            env_int(VAR, 5)

    def test_minimum(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv(VAR, "0")
        with pytest.raises(ImproperlyConfigured, match=f"{VAR} must be at least 1"):
            env_int(VAR, 5, minimum=1)
        monkeypatch.setenv(VAR, "1")
        assert env_int(VAR, 5, minimum=1) == 1


class TestEnvList:
    def test_comma_separated_with_blanks_dropped(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv(VAR, " kasane.example.lg.jp, ,10.0.0.5,")
        assert env_list(VAR, ["x"]) == ["kasane.example.lg.jp", "10.0.0.5"]

    def test_unset_is_a_copy_of_the_default(self) -> None:
        default = ["localhost"]
        got = env_list(VAR, default)
        assert got == ["localhost"]
        got.append("changed")
        assert default == ["localhost"]


class TestEnvChoice:
    def test_a_listed_word(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv(VAR, "WARNING")
        assert env_choice(VAR, ("INFO", "WARNING"), "INFO") == "WARNING"

    def test_unset_is_the_default(self) -> None:
        assert env_choice(VAR, ("INFO", "WARNING"), "INFO") == "INFO"

    def test_an_unlisted_word_stops_start_up(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv(VAR, "LOUD")
        with pytest.raises(ImproperlyConfigured, match=f"{VAR} must be one of INFO, WARNING"):
            env_choice(VAR, ("INFO", "WARNING"), "INFO")


class TestEnvPathAndStr:
    def test_path_is_made_absolute(self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
        monkeypatch.chdir(tmp_path)
        monkeypatch.setenv(VAR, "data/../var")
        assert env_path(VAR, Path("/nowhere")) == tmp_path.resolve() / "var"

    def test_path_expands_the_home_directory(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("HOME", "/home/kasane")
        monkeypatch.setenv(VAR, "~/data")
        assert env_path(VAR, Path("/nowhere")) == Path("/home/kasane/data")

    def test_path_default(self) -> None:
        assert env_path(VAR, Path("/srv/kasane")) == Path("/srv/kasane")

    def test_str_blank_is_unset(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv(VAR, "  ")
        assert env_str(VAR) is None
        assert env_str(VAR, "fallback") == "fallback"
        monkeypatch.setenv(VAR, " value ")
        assert env_str(VAR) == "value"


# --- the settings module itself, imported in a fresh interpreter --------------------------

GOOD_KEY = "k" * 40


def import_settings(
    tmp_path: Path, code: str = "import kasane.settings", **env: str
) -> subprocess.CompletedProcess[str]:
    """Import kasane.settings in a fresh interpreter with only the given KASANE_ variables."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("KASANE_", "DJANGO_")) and k != "DATABASE_URL"
    }
    clean["KASANE_DATA_DIR"] = str(tmp_path / "data")
    clean.update(env)
    return subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-c", code],
        env=clean,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def show(code: str) -> str:
    return f"import kasane.settings as s; print(repr({code}))"


def test_settings_import_with_defaults(tmp_path: Path) -> None:
    done = import_settings(
        tmp_path,
        "import kasane.settings as s; "
        "print(s.DEBUG, s.DATABASES['default']['ENGINE'], s.PASSWORD_HASHERS[0], s.SECURE)",
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [
        "False",
        "django.db.backends.sqlite3",
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "False",
    ]


def test_sqlite_runs_in_wal_with_immediate_transactions(tmp_path: Path) -> None:
    done = import_settings(tmp_path, show("s.DATABASES['default']['OPTIONS']"))
    assert done.returncode == 0, done.stderr
    assert "'transaction_mode': 'IMMEDIATE'" in done.stdout
    assert "journal_mode=WAL" in done.stdout


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("KASANE_DEBUG", "yes please"),
        ("KASANE_SECURE", "maybe"),
        ("KASANE_SESSION_SECONDS", "12abc"),
        ("KASANE_LOGIN_MAX_FAILURES_PER_ACCOUNT", "0"),
        ("KASANE_LOG_LEVEL", "CHATTY"),
    ],
)
def test_a_bad_value_stops_start_up_naming_the_variable(
    tmp_path: Path, variable: str, value: str
) -> None:
    done = import_settings(tmp_path, **{variable: value})
    assert done.returncode != 0
    assert "ImproperlyConfigured" in done.stderr
    assert variable in done.stderr


def test_mysql_is_refused(tmp_path: Path) -> None:
    done = import_settings(tmp_path, DATABASE_URL="mysql://kasane:pw@db/kasane")
    assert done.returncode != 0
    assert "ImproperlyConfigured" in done.stderr
    assert "DATABASE_URL must be a postgres:// or postgresql:// URL" in done.stderr


def test_postgres_url_is_parsed(tmp_path: Path) -> None:
    done = import_settings(
        tmp_path,
        "import kasane.settings as s; d = s.DATABASES['default']; "
        "print(d['ENGINE'], d['NAME'], d['HOST'], d['PORT'], d['CONN_MAX_AGE'], "
        "d['CONN_HEALTH_CHECKS'])",
        DATABASE_URL="postgresql://kasane:pw@db.example.lg.jp:5433/kasane",
        KASANE_DB_CONN_MAX_AGE="30",
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [
        "django.db.backends.postgresql",
        "kasane",
        "db.example.lg.jp",
        "5433",
        "30",
        "True",
    ]


def test_a_short_secret_key_is_refused(tmp_path: Path) -> None:
    done = import_settings(tmp_path, KASANE_SECRET_KEY="too-short")
    assert done.returncode != 0
    assert "KASANE_SECRET_KEY must be at least 32 characters long" in done.stderr
    assert "too-short" not in done.stderr.replace("KASANE_SECRET_KEY=", "")


def test_the_secret_key_from_the_environment_is_used(tmp_path: Path) -> None:
    done = import_settings(tmp_path, show("s.SECRET_KEY"), KASANE_SECRET_KEY=GOOD_KEY)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == repr(GOOD_KEY)
    assert not (tmp_path / "data" / "secret_key").exists()


def test_without_a_secret_key_one_is_made_once_and_kept_private(tmp_path: Path) -> None:
    first = import_settings(tmp_path, show("s.SECRET_KEY"))
    second = import_settings(tmp_path, show("s.SECRET_KEY"))
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout
    key_file = tmp_path / "data" / "secret_key"
    assert len(key_file.read_text().strip()) >= 50
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert not [p for p in key_file.parent.iterdir() if p.name.startswith(".secret_key")]


def test_concurrent_first_starts_agree_on_one_secret_key(tmp_path: Path) -> None:
    """Several gunicorn workers starting on a fresh data directory must share one key,
    or a session signed by one worker is rejected by the next."""
    code = show("s.SECRET_KEY")
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("KASANE_", "DJANGO_")) and k != "DATABASE_URL"
    }
    clean["KASANE_DATA_DIR"] = str(tmp_path / "data")
    procs = [
        subprocess.Popen(  # noqa: S603 - our own interpreter, fixed arguments
            [sys.executable, "-c", code],
            env=clean,
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(6)
    ]
    outputs = [p.communicate(timeout=60) for p in procs]
    assert all(p.returncode == 0 for p in procs), [err for _, err in outputs]
    assert len({out for out, _ in outputs}) == 1


def test_secure_mode_turns_on_https_only_cookies_and_hsts(tmp_path: Path) -> None:
    done = import_settings(
        tmp_path,
        "import kasane.settings as s; print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS > 0, s.SECURE_PROXY_SSL_HEADER)",
        KASANE_SECURE="on",
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "True True True True ('HTTP_X_FORWARDED_PROTO', 'https')"


def test_allowed_hosts_from_the_environment(tmp_path: Path) -> None:
    done = import_settings(
        tmp_path, show("s.ALLOWED_HOSTS"), KASANE_ALLOWED_HOSTS="kasane.city.lg.jp, 10.1.2.3"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == repr(["kasane.city.lg.jp", "10.1.2.3"])


def test_log_level_from_the_environment(tmp_path: Path) -> None:
    done = import_settings(tmp_path, show("s.LOGGING['root']['level']"), KASANE_LOG_LEVEL="WARNING")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == repr("WARNING")
