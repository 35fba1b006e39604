"""Sync accounts: the config tables, the Secret type, secret_for, and `tuireader account` and
`doctor` run as the installed command against real config files in tmp dirs."""

from __future__ import annotations

import json
import logging
import re
import sys
from pathlib import Path

import pytest

from test_cli import run
from tuireader.app import setup_logging
from tuireader.config.settings import load_settings, parse_settings
from tuireader.domain.accounts import AccountType, SecretSource
from tuireader.domain.errors import ConfigError
from tuireader.domain.secret import Secret
from tuireader.services.accounts import accounts, secret_for, secret_source

CONFIG_SECRET = "config-pw-71c3"
COMMAND_SECRET = "command-pw-9a2e"
KEYRING_SECRET = "keyring-pw-4d0b"

FAKE_KEYRING = f"""
def get_password(service, user):
    return {KEYRING_SECRET!r} if (service, user) == ("tuireader", "ring") else None
"""


def fake_keyring(tmp_path: Path) -> Path:
    """A `keyring` module (the real package's get_password) on a path of its own."""
    site = tmp_path / "keyring-site"
    site.mkdir(exist_ok=True)
    (site / "keyring.py").write_text(FAKE_KEYRING)
    return site


def every_kind(tmp_path: Path) -> str:
    script = tmp_path / "pw.py"
    script.write_text(f"print({COMMAND_SECRET!r})\nprint('second line')\n")
    return f"""
[accounts.plain]
type = "fever"
url = "http://127.0.0.1:9/fever/"
user = "me@example.org"
password = "{CONFIG_SECRET}"

[accounts.cmd]
type = "miniflux"
url = "https://rss.example.org"
password_command = "{sys.executable} {script}"

[accounts.ring]
type = "nextcloud"
url = "https://cloud.example.org"
user = "me"

[accounts.shared]
type = "folder"
path = "~/Sync/tuireader"
"""


# config -----------------------------------------------------------------------------------
def test_account_tables_parse(tmp_path: Path) -> None:
    settings = parse_settings(every_kind(tmp_path))
    found = accounts(settings)
    assert [a.name for a in found] == ["plain", "cmd", "ring", "shared"]
    assert found[0].type is AccountType.FEVER and found[0].user == "me@example.org"
    assert found[0].password == Secret(CONFIG_SECRET)
    shared = found[3]
    assert shared.path == Path("~/Sync/tuireader").expanduser() and not shared.is_server


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('type = "rss"\nurl = "http://x/"', "'accounts.a.type' must be one of greader"),
        ('url = "http://x/"', "'accounts.a.type' is missing"),
        ('type = "fever"', "'accounts.a.url' is missing"),
        ('type = "fever"\nurl = "ftp://x/"', "'accounts.a.url' must be an http(s) URL"),
        ('type = "fever"\nurl = "http:///x"', "'accounts.a.url' must be an http(s) URL"),
        ('type = "fever"\nurl = "http://u:pw@x/"', "'accounts.a.url' must not hold a user"),
        ('type = "folder"', "'accounts.a.path' is missing"),
        ('type = "folder"\npath = "rel/dir"', "'accounts.a.path' must be absolute"),
        ('type = "folder"\nurl = "http://x/"', "'accounts.a.url' is for server accounts"),
        ('type = "fever"\nurl = "http://x/"\nuser = 3', "'accounts.a.user' must be a string"),
        ('type = "fever"\nurl = "http://x/"\npasswd = "x"', "unknown key 'accounts.a.passwd'"),
        ('type = "fever"\nurl = "http://x/"\npassword_command = "a \'b"', "cannot be split"),
        (
            'type = "fever"\nurl = "http://x/"\npassword_command = "x"\npassword = "y"',
            "not both",
        ),
    ],
)
def test_a_bad_account_table_names_the_account_and_field(table: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_settings(f"[accounts.a]\n{table}\n")
    assert message in str(caught.value)
    assert "\n" not in str(caught.value) and "pw@" not in str(caught.value)


def test_a_bad_account_is_exit_2_in_one_line(isolated_env: dict[str, str], tmp_path: Path) -> None:
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "config.toml").write_text('[accounts.work]\ntype = "fever"\n')
    for args in (("account", "list"), ("sources",)):
        result = run(isolated_env, *args)
        assert result.returncode == 2, result.stderr
        assert result.stderr.strip().splitlines() == [
            "tuireader: config: 'accounts.work.url' is missing (the server's address)"
        ]


# secrets ----------------------------------------------------------------------------------
def test_secret_for_each_kind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(fake_keyring(tmp_path)))
    monkeypatch.delitem(sys.modules, "keyring", raising=False)
    found = {a.name: a for a in accounts(parse_settings(every_kind(tmp_path)))}
    assert secret_for(found["plain"]).reveal() == CONFIG_SECRET
    assert secret_for(found["cmd"]).reveal() == COMMAND_SECRET  # the first line only
    assert secret_for(found["ring"]).reveal() == KEYRING_SECRET
    sources = {name: secret_source(a) for name, a in found.items()}
    assert sources == {
        "plain": SecretSource.CONFIG,
        "cmd": SecretSource.COMMAND,
        "ring": SecretSource.KEYRING,
        "shared": SecretSource.NONE,
    }


def test_no_keyring_and_no_command_says_what_to_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "keyring", None)  # not importable
    account = parse_settings('[accounts.x]\ntype = "ttrss"\nurl = "http://h/"\n').accounts["x"]
    with pytest.raises(ConfigError, match="account 'x' has no password: set password_command"):
        secret_for(account)


@pytest.mark.parametrize(
    ("command", "message"),
    [
        (
            "{py} -c 'import sys; print(\"gpg: no key\", file=sys.stderr); sys.exit(3)'",
            "account 'a': password_command failed (exit 3): gpg: no key",
        ),
        ("/nonexistent/pass show x", "account 'a': password_command: cannot run"),
        ("{py} -c 'pass'", "account 'a': password_command printed nothing"),
        ("{py} -c 'import time; time.sleep(30)'", "account 'a': password_command did not finish"),
    ],
)
def test_a_failing_password_command_is_one_line_naming_the_account(
    command: str, message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tuireader.services.accounts as module

    monkeypatch.setattr(module, "COMMAND_TIMEOUT", 1.0)
    monkeypatch.setattr(module.run_password_command, "__defaults__", (1.0,))
    line = command.format(py=sys.executable).replace('"', '\\"')
    text = f'[accounts.a]\ntype = "fever"\nurl = "http://h/"\npassword_command = "{line}"\n'
    account = parse_settings(text).accounts["a"]
    with pytest.raises(ConfigError) as caught:
        secret_for(account)
    assert str(caught.value).startswith(message) and "\n" not in str(caught.value)


def test_a_secret_never_shows_in_print_log_or_json(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.syspath_prepend(str(fake_keyring(tmp_path)))
    monkeypatch.delitem(sys.modules, "keyring", raising=False)
    log = setup_logging(tmp_path / "log" / "tuireader.log", debug=True)
    assert log is not None
    logger = logging.getLogger("tuireader.test")
    for account in accounts(parse_settings(every_kind(tmp_path))):
        secret = secret_for(account) if account.is_server else Secret("")
        print(account, repr(account), secret, f"{secret}", f"{secret!r}", "%s" % (secret,))  # noqa: UP031
        print(json.dumps({"account": account, "secret": secret}, default=str))
        logger.info("account %s %r secret %s %r", account, account, secret, secret)
        try:
            raise ConfigError(f"account {account}: {secret} {account.password}")
        except ConfigError:
            logger.exception("failed")
        with pytest.raises(TypeError):
            json.dumps(secret)
    out = capsys.readouterr()
    written = out.out + out.err + log.read_text()
    assert "***" in written
    for value in (CONFIG_SECRET, COMMAND_SECRET, KEYRING_SECRET):
        assert value not in written


# the command ------------------------------------------------------------------------------
USER_TEXT = """\
# my own notes, kept as written
[general]
theme = "nord"   # a comment on a line

[accounts.old]
type = "ttrss"
url = "https://tt.example.org/"   # the work server

# the sources below are mine
[sources."https://example.org/feed.xml"]
max_stories = 10
"""


def test_account_add_list_remove_keep_the_users_text(
    isolated_env: dict[str, str], tmp_path: Path
) -> None:
    config = tmp_path / "config" / "config.toml"
    config.parent.mkdir()
    config.write_text(USER_TEXT)
    added = run(
        isolated_env,
        "account", "add", "home", "--type", "miniflux", "--url", "https://rss.example.org",
        "--user", "me", "--password-command", "pass show rss",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    text = config.read_text()
    assert text.startswith(USER_TEXT)
    assert '[accounts.home]\ntype = "miniflux"\nurl = "https://rss.example.org"' in text
    assert 'password_command = "pass show rss"' in text
    folder = run(isolated_env, "account", "add", "sync", "--type", "folder", "--path", "shared")
    assert folder.returncode == 0, folder.stderr
    again = run(isolated_env, "account", "add", "home", "--type", "fever", "--url", "http://x/")
    assert again.returncode == 2 and "an account named 'home' exists" in again.stderr
    listed = run(isolated_env, "account", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    data = json.loads(listed.stdout)
    assert [(a["name"], a["type"], a["secret"]) for a in data] == [
        ("old", "ttrss", "none"),
        ("home", "miniflux", "command"),
        ("sync", "folder", "none"),
    ]
    assert data[2]["path"] == str(Path.cwd() / "shared") and data[1]["user"] == "me"
    plain = run(isolated_env, "account", "list")
    assert "home  miniflux  https://rss.example.org  user me  secret: command" in plain.stdout
    removed = run(isolated_env, "account", "remove", "old")
    assert removed.returncode == 0, removed.stderr
    text = config.read_text()
    assert "[accounts.old]" not in text and "tt.example.org" not in text
    assert text.startswith('# my own notes, kept as written\n[general]\ntheme = "nord"   # a')
    assert '# the sources below are mine\n[sources."https://example.org/feed.xml"]' in text
    settings = load_settings(config)
    assert settings is not None and list(settings.accounts) == ["home", "sync"]
    assert settings.general.theme == "nord" and settings.sources
    gone = run(isolated_env, "account", "remove", "old")
    assert gone.returncode == 2 and "no account named 'old'" in gone.stderr


def test_account_add_makes_the_config_file(isolated_env: dict[str, str], tmp_path: Path) -> None:
    result = run(isolated_env, "account", "add", "f", "--type", "fever", "--url", "http://h/f/")
    assert result.returncode == 0, result.stderr
    config = tmp_path / "config" / "config.toml"
    assert config.read_text() == '[accounts.f]\ntype = "fever"\nurl = "http://h/f/"\n'
    assert config.stat().st_mode & 0o077 == 0  # private: it may name a password command
    bad = run(isolated_env, "account", "add", "g", "--type", "fever", "--url", "ftp://h/")
    assert bad.returncode == 2 and "'accounts.g.url' must be an http(s) URL" in bad.stderr
    assert "[accounts.g]" not in config.read_text()
    wrong = run(isolated_env, "account", "add", "h", "--type", "folder", "--url", "http://h/")
    assert wrong.returncode == 2 and "'accounts.h.url' is for server accounts" in wrong.stderr
    nopw = run(isolated_env, "account", "add", "i", "--type", "fever", "--url", "http://h/",
               "--password", "x")  # fmt: skip
    assert nopw.returncode == 2 and "unrecognized arguments" in nopw.stderr


def test_no_secret_in_the_commands_output_or_log(
    isolated_env: dict[str, str], tmp_path: Path
) -> None:
    config = tmp_path / "config" / "config.toml"
    config.parent.mkdir()
    config.write_text(every_kind(tmp_path))
    env = {**isolated_env, "PYTHONPATH": str(fake_keyring(tmp_path)), "TUIREADER_DEBUG": "1"}
    listed = run(env, "account", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    assert {a["name"]: a["secret"] for a in json.loads(listed.stdout)} == {
        "plain": "config", "cmd": "command", "ring": "keyring", "shared": "none",
    }  # fmt: skip
    doctor = run(env, "doctor")
    text = run(env, "account", "list")
    log = tmp_path / "log" / "tuireader.log"
    written = "".join(r.stdout + r.stderr for r in (listed, doctor, text))
    written += log.read_text() if log.exists() else ""
    for value in (CONFIG_SECRET, COMMAND_SECRET, KEYRING_SECRET):
        assert value not in written


def test_doctor_warns_for_a_written_password_and_runs_each_command(
    isolated_env: dict[str, str], tmp_path: Path
) -> None:
    config = tmp_path / "config" / "config.toml"
    config.parent.mkdir()
    config.write_text(
        every_kind(tmp_path)
        + '\n[accounts.broken]\ntype = "ttrss"\nurl = "http://h/"\npassword_command = "false"\n'
    )
    result = run(isolated_env, "doctor")
    lines = {
        re.split(r"\s{2,}", line)[1]: line
        for line in result.stdout.splitlines()
        if line.startswith(("ok", "warn", "FAIL"))
    }
    assert (
        lines["account plain"].startswith("warn")
        and "password is written" in lines["account plain"]
    )
    assert lines["account cmd"].startswith("ok") and "password_command runs" in lines["account cmd"]
    assert lines["account broken"].startswith("FAIL")
    assert "account 'broken': password_command failed (exit 1)" in lines["account broken"]
    assert result.returncode == 1  # the broken command; the warning alone is not a failure
    config.write_text(every_kind(tmp_path))
    warned = run(isolated_env, "doctor")
    assert warned.returncode == 0, warned.stdout
    assert "warn  account plain" in warned.stdout
