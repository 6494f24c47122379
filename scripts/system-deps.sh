#!/usr/bin/env bash
# Debian packages the project needs outside Python: python3-venv where $PYTHON (Debian's
# own) cannot make a venv without it; Pango, HarfBuzz's subsetter and
# fonts for WeasyPrint's PDF; with --test also poppler-utils (pdftoppm, pdftotext) for the
# PDF tests and chromium for the HTML report's browser test. Installs only what is missing.
set -euo pipefail
missing=()
ldconfig -p | grep -q 'libpango-1.0.so' || missing+=(libpango-1.0-0)
ldconfig -p | grep -q 'libpangoft2-1.0.so' || missing+=(libpangoft2-1.0-0)
ldconfig -p | grep -q 'libharfbuzz-subset.so' || missing+=(libharfbuzz-subset0)
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
# Debian's own python3 makes a venv only with ensurepip, which python3-venv brings.
"${PYTHON:-python3}" -c 'import ensurepip' 2>/dev/null || missing+=(python3-venv)
if [ "${1:-}" = "--test" ]; then
  command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
  # Debian's chromium for the report's browser test (Playwright drives it; no browser download).
  [ -x /usr/bin/chromium ] || missing+=(chromium)
fi
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing Debian packages: ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
