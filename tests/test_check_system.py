"""tools/check_system.sh, which `make test` runs first: it installs what is missing as root, else says what to run."""

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "tools" / "check_system.sh"
TOOLS = ("chromium", "firefox-esr", "WebKitWebDriver", "xvfb-run", "msgfmt", "node", "npm")


def _machine(tmp_path: Path, *, uid: int, missing: tuple[str, ...] = ()) -> Path:
    """A PATH holding stubs of the tools present, an `id` answering ``uid`` and an apt-get that logs its calls."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    stubs = {name: "#!/bin/sh\nexit 0\n" for name in TOOLS if name not in missing}
    stubs["id"] = f"#!/bin/sh\necho {uid}\n"
    stubs["apt-get"] = f'#!/bin/sh\necho "$@" >> {tmp_path}/apt.log\n'
    stubs["python3.11"] = "#!/bin/sh\nexit 0\n"
    for name, text in stubs.items():
        (bin_dir / name).write_text(text)
        (bin_dir / name).chmod(0o755)
    return bin_dir


def _run(bin_dir: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["/bin/bash", str(SCRIPT), *args], env={"PATH": str(bin_dir), **env},
        capture_output=True, text=True, check=False,
    )


def test_nothing_missing_nothing_done(tmp_path):
    result = _run(_machine(tmp_path, uid=0), "test")
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
    assert not (tmp_path / "apt.log").exists()


def test_as_root_the_missing_packages_are_installed_with_apt_get(tmp_path):
    result = _run(_machine(tmp_path, uid=0, missing=("firefox-esr", "WebKitWebDriver", "msgfmt")), "test")
    assert result.returncode == 0, result.stderr
    assert "firefox-esr webkit2gtk-driver gettext" in result.stdout
    calls = (tmp_path / "apt.log").read_text().splitlines()
    assert calls == ["update -qq", "install -y -qq firefox-esr webkit2gtk-driver gettext"]


def test_not_root_prints_the_one_sudo_line_and_stops(tmp_path):
    result = _run(_machine(tmp_path, uid=1000, missing=("chromium", "xvfb-run")), "test")
    assert result.returncode == 1
    assert "    sudo apt-get install -y chromium xvfb\n" in result.stderr
    assert "missing on this machine: chromium xvfb" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "apt.log").exists()


def test_a_missing_python_gets_a_clear_message(tmp_path):
    bin_dir = _machine(tmp_path, uid=1000)
    (bin_dir / "python3.11").unlink()
    result = _run(bin_dir, "python")
    assert result.returncode == 1
    assert result.stderr.startswith("Tessera needs python3.11 to create its .venv, and python3.11 was not found")
    assert _run(bin_dir, "python", PYTHON=str(bin_dir / "id")).returncode == 0  # another interpreter named


def test_make_test_runs_the_check_and_installs_puppeteer_from_the_lock_file():
    planned = subprocess.run(
        ["make", "--no-print-directory", "-n", "-B", "test"], cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout
    assert "tools/check_system.sh test" in planned
    assert "npm ci" in planned
    assert planned.index("tools/check_system.sh test") < planned.index("npm ci") < planned.index("pytest")
