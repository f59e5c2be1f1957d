#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The Debian package, installed for real: dpkg -i into an overlay of the
# guest's (read-only) root, chrooted, with its postinst running DKMS for
# the guest's kernel. The module was compiled by the same DKMS commands on
# the host (scripts/package --dkms), because compiling under TCG takes
# minutes; in the guest DKMS finds it built and installs it. Then modprobe
# loads the DKMS module, the installed hatcpd applies the installed
# example's shape of configuration, and dpkg -r removes it all but the
# loaded module (live connections are not cut by a removal).
# CI took up to 203 s (6.12) of the old 300: dpkg, DKMS and modprobe under TCG.
# timeout=450

. "$(dirname "$0")/lib.sh"

require_root
kver=$(uname -r)
pkgdir=$HATCP_TOP/build/package
deb=$(ls "$pkgdir"/hatcp_*.deb 2>/dev/null | head -n 1)
[ -n "$deb" ] || { echo "# no package: run scripts/package --dkms"; exit $KSFT_FAIL; }
version=$(dpkg-deb -f "$deb" Version)
[ -d "$pkgdir/dkms/hatcp/$version/$kver" ] ||
	{ echo "# no DKMS build for $kver: run scripts/package --dkms"; exit $KSFT_FAIL; }

ktap_plan 17

hatcp_unload
R=$(hatcp_tmpdir)
root=$R/root
mkdir -p "$R/upper" "$R/work" "$root"
mount -t overlay overlay -o "lowerdir=/,upperdir=$R/upper,workdir=$R/work" "$root" ||
	{ echo "# cannot mount an overlay of /"; exit $KSFT_FAIL; }
for m in proc sys dev; do
	mount --rbind "/$m" "$root/$m"
done
# hatcpd (by pid) and the namespace go first: the overlay is busy until then.
trap 'cleanup_ns; umount -R "$root" 2>/dev/null; hatcp_unload' EXIT
in_root() { chroot "$root" "$@"; }

# The host's DKMS tree, its source link pointing where the package puts it.
mkdir -p "$root/var/lib/dkms"
cp -a "$pkgdir/dkms/hatcp" "$root/var/lib/dkms/"
ln -sfn "/usr/src/hatcp-$version" "$root/var/lib/dkms/hatcp/$version/source"
cp "$deb" "$root/var/tmp/"

check "dpkg -i installs the package (postinst: dkms add, build, install)" \
	sh -c "chroot $root dpkg -i /var/tmp/$(basename "$deb") >$R/dpkg-i.log 2>&1 || { cat $R/dpkg-i.log; exit 1; }"
check "dkms status: installed for $kver" \
	sh -c "chroot $root dkms status hatcp | grep -q '^hatcp/$version, $kver, x86_64: installed'"
check "dpkg knows every file it installed" sh -c "chroot $root dpkg --verify hatcp"
for f in /usr/sbin/hatcpd /usr/sbin/hatcpctl /usr/lib/systemd/system/hatcpd.service \
	/usr/lib/systemd/system/hatcpd@.service /usr/share/man/man8/hatcpd.8 \
	/usr/share/man/man5/hatcpd.toml.5 /etc/hatcp/hatcpd.toml.example; do
	[ -e "$root$f" ] || missing="${missing:-} $f"
done
check_eq "units, man pages, example and binaries in place" "" "${missing:-}"
check "modprobe hatcp loads the DKMS module" in_root modprobe hatcp
check "the loaded module is the one DKMS installed" \
	sh -c "chroot $root modinfo -F filename hatcp | grep -q '/lib/modules/$kver/updates/dkms/hatcp.ko'"
check_eq "man hatcpd renders" "HATCPD(8)" \
	"$(in_root env MANWIDTH=80 man -l /usr/share/man/man8/hatcpd.8 2>/dev/null | head -n 1 | awk '{print $1}')"

# The operator's steps: key, the example edited, --check, start, health.
openssl rand -hex 32 >"$root/etc/hatcp/channel.key"
sed -e 's/^role = "primary"/role = "standalone"/' \
	-e 's/^device = "eth1".*//' "$root/etc/hatcp/hatcpd.toml.example" >"$root/etc/hatcp/hatcpd.toml"
check "the example, edited, passes hatcpd --check" in_root /usr/sbin/hatcpd --check /etc/hatcp/hatcpd.toml
ns=$(new_ns pkg)
ip netns exec "$ns" chroot "$root" /usr/sbin/hatcpd >"$R/hatcpd.log" 2>&1 &
hatcpd=$!
hatcp_bg $hatcpd
health_says() { ip netns exec "$ns" chroot "$root" /usr/sbin/hatcpd --health | grep -q "$1"; }
check "the installed hatcpd is ready" wait_for 20 grep -q "hatcpd ready" "$R/hatcpd.log"
# Standalone with a peer: degraded (the peer never answers) is its truth.
check "its health check answers (degraded: no peer here)" \
	health_says '^degraded: role standalone, peer unreachable'
check_eq "the services of the example are protected" \
	'[{"addr":"10.0.1.10","port":443},{"addr":"10.0.1.10","port":8443}]' \
	"$(ip netns exec "$ns" chroot "$root" /usr/sbin/hatcpctl -j policy list)"
kill "$hatcpd"
wait "$hatcpd"
check_eq "hatcpd stops with status 0 on SIGTERM" 0 "$?"

check "dpkg -r removes the package" \
	sh -c "chroot $root dpkg -r hatcp >$R/dpkg-r.log 2>&1 || { cat $R/dpkg-r.log; exit 1; }"
check "the binaries and units are gone" \
	sh -c "[ ! -e $root/usr/sbin/hatcpd ] && [ ! -e $root/usr/lib/systemd/system/hatcpd.service ]"
check_eq "DKMS forgot hatcp" "" "$(in_root dkms status hatcp 2>/dev/null)"
check "the module stays loaded: removal cuts no connection" hatcp_loaded
check "rmmod after removal" rmmod hatcp
ktap_finish
