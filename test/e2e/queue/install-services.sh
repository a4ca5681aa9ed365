#!/usr/bin/env bash
# Installs PostgreSQL and Redis from Debian's packages on first use (the queue-mode suite needs
# both; a fresh CI machine has neither). Returns at once when both are already there.
# Only the binaries are used: the suite starts its own servers on free ports with temporary data.
set -euo pipefail
have() {
	command -v redis-server >/dev/null 2>&1 &&
		compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null &&
		id postgres >/dev/null 2>&1
}
if have; then exit 0; fi
if [ "$(id -u)" != 0 ]; then
	echo "[install-services] postgresql and redis-server are missing; install them as root:" >&2
	echo "  apt-get update && apt-get install -y postgresql redis-server" >&2
	exit 1
fi
# One installer at a time (apt holds its own lock, but a second caller should wait, not fail).
exec 9>/tmp/n8n-nodes-scale-nucleus-services.lock
flock 9
if have; then exit 0; fi
echo "[install-services] installing postgresql and redis-server with apt-get" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update >&2
apt-get install -y --no-install-recommends postgresql redis-server >&2
# The Debian packages start system-wide servers where a service manager runs; the suite does not
# use them, so leave them as the packages set them up.
have
