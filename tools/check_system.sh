#!/usr/bin/env bash
# The system packages Tessera needs, checked before `make` uses them.
#
#   tools/check_system.sh python   the Python that creates .venv ($PYTHON, python3.11 by default)
#   tools/check_system.sh test     the browsers of the e2e suite, gettext, Node.js and Xvfb
#
# Missing Debian packages are installed with apt-get when running as root; otherwise the script
# prints the one `sudo apt-get install ...` line to run and stops. It never downloads a browser
# build of its own: the suite drives Debian's packages only.
set -u

what=${1:-test}
python=${PYTHON:-python3.11}

if [ "$what" = python ]; then
  command -v "$python" >/dev/null 2>&1 && exit 0
  echo "Tessera needs $python to create its .venv, and $python was not found on this machine." >&2
  echo "Install Python 3.11 (for example with pyenv, or your distribution's python3.11 package)," >&2
  echo "or name another Python 3.11 interpreter: make PYTHON=/path/to/python3.11 ..." >&2
  exit 1
fi

# command the suite runs -> Debian package that provides it
missing=()
need() { command -v "$1" >/dev/null 2>&1 || missing+=("$2"); }
need chromium chromium                    # Chromium, driven by Playwright
need firefox-esr firefox-esr              # Firefox ESR, driven over WebDriver BiDi by puppeteer-core
need WebKitWebDriver webkit2gtk-driver    # WebKit (Safari's engine), driven by Selenium
need xvfb-run xvfb                        # WebKitWebDriver has no headless mode: a virtual display
need msgfmt gettext                       # compiling and checking translations
need node nodejs                          # runs puppeteer-core
need npm npm                              # installs puppeteer-core from package-lock.json

[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing the system packages the test suite needs: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq || true
  if ! apt-get install -y -qq "${missing[@]}" >/dev/null; then
    echo "apt-get could not install: ${missing[*]}. Install them, then run make again." >&2
    exit 1
  fi
  exit 0
fi

echo "The test suite needs system packages that are missing on this machine: ${missing[*]}." >&2
echo "Install them with this command, then run make again:" >&2
echo >&2
echo "    sudo apt-get install -y ${missing[*]}" >&2
echo >&2
exit 1
