#!/usr/bin/env bash
# Installs Debian's chromium on first use (the browser suite drives it with playwright-core) and
# prints its path as the last stdout line; later runs only print the path. Needs root or sudo,
# as CI's fresh machine gives. Logs go to stderr.
set -euo pipefail
for candidate in /usr/bin/chromium /usr/bin/chromium-browser; do
	if [ -x "$candidate" ]; then
		echo "$candidate"
		exit 0
	fi
done
if [ "$(id -u)" -eq 0 ]; then
	as_root=()
elif command -v sudo >/dev/null 2>&1; then
	as_root=(sudo -n)
else
	echo "chromium is not installed and this user cannot install it: apt-get install chromium" >&2
	exit 1
fi
echo "[ui] installing Debian's chromium (first run only) ..." >&2
"${as_root[@]}" apt-get update >&2
DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y chromium >&2
echo /usr/bin/chromium
