#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The shipped files hold up: the example configuration passes
# `hatcpd --check` (with a real key file in place of its path), and
# systemd parses both units (systemd-analyze verify, the binary's path
# pointed at this build).
#   dist_test.sh HATCPD DISTDIR
set -euo pipefail

hatcpd=$(realpath "$1")
dist=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

openssl rand -hex 32 >"$tmp/channel.key"
sed "s|/etc/hatcp/channel.key|$tmp/channel.key|" "$dist/hatcpd.toml" >"$tmp/hatcpd.toml"
"$hatcpd" --check "$tmp/hatcpd.toml"

# A key path that does not exist must fail the same check: the test above
# is not vacuous.
if "$hatcpd" --check "$dist/hatcpd.toml" 2>"$tmp/err"; then
	[ -e /etc/hatcp/channel.key ] || { echo "example passed without its key file" >&2; exit 1; }
fi

if command -v systemd-analyze >/dev/null; then
	for unit in hatcpd.service hatcpd@.service; do
		sed "s|/usr/sbin/hatcpd|$hatcpd|g" "$dist/$unit" >"$tmp/$unit"
	done
	cp "$tmp/hatcpd@.service" "$tmp/hatcpd@blue.service"
	out=$(SYSTEMD_LOG_LEVEL=notice systemd-analyze verify --man=no "$tmp/hatcpd.service" \
		"$tmp/hatcpd@blue.service" 2>&1) || true
	if [ -n "$out" ]; then
		echo "$out" >&2
		exit 1
	fi
	echo "units: systemd-analyze verify clean"
fi
