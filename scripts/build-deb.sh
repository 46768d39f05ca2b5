#!/usr/bin/env bash
# Builds floatip_<version>_all.deb with dpkg-deb alone (no debhelper, no fakeroot): the compiled daemon, its
# bundle (the command) and its production node_modules under /usr/lib/floatip, the unit, a disabled
# /etc/floatip/floatip.yml (a conffile), the man page, the system user (sysusers.d) and maintainer scripts that
# honour $DPKG_ROOT.
# usage: bash scripts/build-deb.sh [--out DIR]     (default DIR: the repository root)
set -euo pipefail
umask 022
root=$(cd "$(dirname "$0")/.." && pwd)
out=$root
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out=${2:?--out needs a directory}; shift 2 ;;
    --out=*) out=${1#--out=}; shift ;;
    *) echo "build-deb: unknown argument \"$1\" (usage: build-deb.sh [--out DIR])" >&2; exit 2 ;;
  esac
done
[ -d "$out" ] || { echo "build-deb: output directory $out does not exist" >&2; exit 2; }
out=$(cd "$out" && pwd)
for tool in dpkg-deb gzip npm; do
  command -v "$tool" >/dev/null || { echo "build-deb: $tool is missing" >&2; exit 2; }
done
[ -x "$root/node_modules/.bin/tsc" ] || { echo "build-deb: node_modules/.bin/tsc is missing: run npm ci first" >&2; exit 2; }
[ -f "$root/node_modules/esbuild/package.json" ] || { echo "build-deb: node_modules/esbuild is missing: run npm ci first" >&2; exit 2; }

# npm's pre-release "1.2.0-rc.1" sorts after 1.2.0 in Debian; "1.2.0~rc.1" sorts before it, as it should
npm_version=$(node -p 'require(process.argv[1]).version' "$root/package.json")
version=${npm_version/-/\~}
[[ $version =~ ^[0-9][A-Za-z0-9.+~]*$ ]] || { echo "build-deb: package.json version \"$npm_version\" is not usable as a Debian version" >&2; exit 2; }
if [ -z "${SOURCE_DATE_EPOCH:-}" ] && git -C "$root" rev-parse --git-dir >/dev/null 2>&1; then
  SOURCE_DATE_EPOCH=$(git -C "$root" log -1 --format=%ct)
  export SOURCE_DATE_EPOCH
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/floatip-deb.XXXXXX")
trap 'rm -rf "$work"' EXIT
pkg=$work/pkg
lib=$pkg/usr/lib/floatip
mkdir -p "$lib" "$pkg/DEBIAN" "$pkg/usr/bin" "$pkg/usr/lib/systemd/system" "$pkg/usr/lib/sysusers.d" \
  "$pkg/etc/floatip" "$pkg/usr/share/man/man8" "$pkg/usr/share/doc/floatip"

echo "build-deb: compiling"
"$root/node_modules/.bin/tsc" -p "$root/tsconfig.build.json" --outDir "$lib/dist" --declaration false
cp "$root/package.json" "$root/package-lock.json" "$lib/"
echo "build-deb: installing the production dependencies (npm ci --omit=dev, offline where npm's cache has them)"
(cd "$lib" && npm ci --omit=dev --ignore-scripts --prefer-offline --no-audit --no-fund --loglevel=error >/dev/null)
rm -rf "$lib/package-lock.json" "$lib/node_modules/.package-lock.json" "$lib/node_modules/.bin"
# source maps and type declarations are for developers, not for the daemon that runs
find "$lib/node_modules" -type f \( -name '*.map' -o -name '*.d.ts' -o -name '*.d.mts' -o -name '*.d.cts' \) -delete
# Architecture: all holds only while every dependency is plain JavaScript
native=$(find "$lib/node_modules" -name '*.node' -o -name binding.gyp | head -3)
[ -z "$native" ] || { echo "build-deb: native code in the dependencies ($native): Architecture all would be wrong" >&2; exit 1; }
# the command is the bundle (one file to load: issue 15) of this compiled output and these production dependencies
echo "build-deb: bundling"
node "$root/scripts/bundle.mjs" --dist "$lib/dist"
ln -s ../lib/floatip/dist/bin/floatip.mjs "$pkg/usr/bin/floatip"

install -m 0644 "$root/packaging/floatip.service" "$pkg/usr/lib/systemd/system/floatip.service"
printf '%s\n' '# The system user the floatip unit runs as (User=floatip); no home, no shell.' \
  'u floatip - "floatip floating IP failover" / /usr/sbin/nologin' >"$pkg/usr/lib/sysusers.d/floatip.conf"
# A fresh install binds nothing until the administrator has edited the file and enabled it.
sed 's/^  enabled: true$/  enabled: false            # true once ip, interface and priority fit this host/' \
  "$root/packaging/floatip.example.yml" >"$pkg/etc/floatip/floatip.yml"
grep -q '^  enabled: false ' "$pkg/etc/floatip/floatip.yml" \
  || { echo "build-deb: packaging/floatip.example.yml has no \"  enabled: true\" line to turn off" >&2; exit 1; }

node "$root/scripts/build-man.mjs" "$root/docs/floatip.8.md" "$work/floatip.8"
gzip -9n <"$work/floatip.8" >"$pkg/usr/share/man/man8/floatip.8.gz"
{
  cat <<'EOF'
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: floatip
Source: https://github.com/floatip/floatip

Files: *
Copyright: the floatip authors
License: Apache-2.0
 On Debian systems, the full text of the Apache License, Version 2.0 is in
 /usr/share/common-licenses/Apache-2.0.
EOF
  # the bundled npm packages keep their own licenses (each one's text is in its directory)
  node -e '
    const fs = require("fs"), path = require("path");
    const walk = (dir) => fs.readdirSync(dir).flatMap((n) => n.startsWith("@") ? walk(path.join(dir, n)).map((x) => n + "/" + x) : [n]);
    for (const name of walk(process.argv[1]).filter((n) => !n.startsWith("."))) {
      const p = JSON.parse(fs.readFileSync(path.join(process.argv[1], name, "package.json"), "utf8"));
      console.log(`\nFiles: usr/lib/floatip/node_modules/${name}/*\nCopyright: the authors of ${name} ${p.version}\nLicense: ${p.license ?? "see the package"}`);
    }' "$lib/node_modules"
} >"$pkg/usr/share/doc/floatip/copyright"

cat >"$pkg/DEBIAN/conffiles" <<'EOF'
/etc/floatip/floatip.yml
EOF

# Maintainer scripts. dpkg sets DPKG_ROOT for an install into another root (dpkg --root with
# --force-script-chrootless): then they run on the host without a chroot, so every path is under
# "$DPKG_ROOT", the host's users are left alone, and systemctl is never called.
cat >"$pkg/DEBIAN/postinst" <<'EOF'
#!/bin/sh
set -e
DPKG_ROOT="${DPKG_ROOT:-}"

create_user() {
	if command -v systemd-sysusers >/dev/null 2>&1; then
		if [ -n "$DPKG_ROOT" ]; then
			systemd-sysusers --root "$DPKG_ROOT" floatip.conf
		else
			systemd-sysusers floatip.conf
		fi
	elif [ -z "$DPKG_ROOT" ]; then
		if ! getent passwd floatip >/dev/null; then
			adduser --system --group --no-create-home --home /nonexistent floatip
		fi
	else
		echo "floatip: systemd-sysusers is missing: create the system user floatip in $DPKG_ROOT" >&2
	fi
}

case "$1" in
configure)
	create_user
	if [ -z "$DPKG_ROOT" ] && [ -d /run/systemd/system ]; then
		systemctl daemon-reload || true
		# an upgrade restarts a daemon that runs; nothing is ever started that was not running
		if [ -n "$2" ]; then
			systemctl try-restart floatip.service || true
		fi
	fi
	if [ -z "$2" ]; then
		echo "floatip: edit $DPKG_ROOT/etc/floatip/floatip.yml (it says enabled: false), then: systemctl enable --now floatip"
	fi
	;;
esac
exit 0
EOF

cat >"$pkg/DEBIAN/prerm" <<'EOF'
#!/bin/sh
set -e
DPKG_ROOT="${DPKG_ROOT:-}"
case "$1" in
remove|deconfigure)
	# a master hands the address over, and the unit's ExecStopPost releases it
	if [ -z "$DPKG_ROOT" ] && [ -d /run/systemd/system ]; then
		systemctl stop floatip.service || true
	fi
	;;
esac
exit 0
EOF

cat >"$pkg/DEBIAN/postrm" <<'EOF'
#!/bin/sh
set -e
DPKG_ROOT="${DPKG_ROOT:-}"
case "$1" in
purge)
	# the enablement link systemctl enable made; drop-ins and secrets are the administrator's and stay.
	# The system user stays too, as Debian does for system users: files may still belong to it.
	rm -f "$DPKG_ROOT/etc/systemd/system/multi-user.target.wants/floatip.service"
	rmdir "$DPKG_ROOT/etc/floatip" 2>/dev/null || true
	;;
esac
case "$1" in
remove|purge)
	if [ -z "$DPKG_ROOT" ] && [ -d /run/systemd/system ]; then
		systemctl daemon-reload || true
	fi
	;;
esac
exit 0
EOF
chmod 0755 "$pkg/DEBIAN/postinst" "$pkg/DEBIAN/prerm" "$pkg/DEBIAN/postrm"

installed_size=$(du -sk --exclude=DEBIAN "$pkg" | cut -f1)
cat >"$pkg/DEBIAN/control" <<EOF
Package: floatip
Version: $version
Architecture: all
Maintainer: ${DEB_MAINTAINER:-floatip maintainers <maintainers@floatip.invalid>}
Installed-Size: $installed_size
Depends: nodejs (>= 20.19), net-tools | iproute2, iputils-ping, iputils-arping, systemd-sysusers | adduser
Recommends: ndisc6, ipv6toolkit
Section: net
Priority: optional
Homepage: https://github.com/floatip/floatip
Description: floating IP (virtual IP) failover daemon for Linux gateways
 Two or more hosts on one subnet run floatip; exactly one of them holds a
 shared IPv4 address at a time. When that host, its daemon or its link dies,
 another takes the address over and announces it with gratuitous ARP.
 It reads the floating_ip: section of an INFINI Gateway gateway.yml.
 .
 The installed /etc/floatip/floatip.yml is disabled: edit it, then
 systemctl enable --now floatip.
EOF
(cd "$pkg" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | LC_ALL=C sort -z | xargs -0 md5sum) >"$work/md5sums"
mv "$work/md5sums" "$pkg/DEBIAN/md5sums"
chmod 0644 "$pkg/DEBIAN/md5sums"

deb=$out/floatip_${version}_all.deb
dpkg-deb --root-owner-group -Zxz --build "$pkg" "$deb" >/dev/null
echo "$deb"
