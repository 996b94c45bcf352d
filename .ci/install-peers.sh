#!/usr/bin/env bash
# Installs the real peers that the integration suite runs against (see shared/peers/README.md):
# Postfix, Dovecot (IMAP), nsd, unbound with ldnsutils (DNSSEC) and Chromium, from Debian's packages. Run as root. Idempotent and
# quiet: when every binary is already there it returns at once without touching apt.
#
# Chromium is installed with --no-install-recommends: headless runs (--disable-gpu, screenshots)
# need none of its recommends (upower, udev, mesa DRI drivers, notification-daemon,
# system-config-printer); only fonts-liberation is asked for by name, so that pages render with
# the usual Arial/Times/Courier metrics.
set -euo pipefail

export DEBIAN_FRONTEND=noninteractive

# binary -> package
declare -A NEED=(
  [/usr/sbin/postfix]=postfix
  [/usr/lib/postfix/sbin/master]=postfix
  [/usr/sbin/posttls-finger]=postfix
  [/usr/sbin/dovecot]=dovecot-core
  [/usr/lib/dovecot/imap]=dovecot-imapd
  [/usr/sbin/nsd]=nsd
  [/usr/sbin/nsd-checkconf]=nsd
  [/usr/sbin/unbound]=unbound
  [/usr/sbin/unbound-checkconf]=unbound
  [/usr/bin/ldns-keygen]=ldnsutils
  [/usr/bin/ldns-signzone]=ldnsutils
  [/usr/bin/chromium]=chromium
  [/usr/bin/openssl]=openssl
  [/usr/bin/script]=bsdutils
)
EXTRA_PKGS=(fonts-liberation)

missing=()
for bin in "${!NEED[@]}"; do
  [[ -x "$bin" ]] || missing+=("${NEED[$bin]}")
done
for pkg in "${EXTRA_PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'ok installed' || missing+=("$pkg")
done

# Postfix refuses `postfix -c DIR` (silently) without a default main.cf; an empty one is enough.
ensure_main_cf() {
  if [[ -d /etc/postfix && ! -e /etc/postfix/main.cf ]]; then
    : > /etc/postfix/main.cf
  fi
}

if ((${#missing[@]} == 0)); then
  ensure_main_cf
  exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
  echo "install-peers: must run as root (missing: ${missing[*]})" >&2
  exit 1
fi

# Unique package list.
mapfile -t pkgs < <(printf '%s\n' "${missing[@]}" | sort -u)
echo "install-peers: installing ${pkgs[*]}" >&2

# Postfix: no debconf questions, no /etc/postfix/main.cf written, no system instance configured.
echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections

apt_install() {
  apt-get install -y -qq --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "$@" >/dev/null
}

# Only refresh the package lists when apt cannot find a candidate for something we need
# (e.g. a fresh image whose lists are empty or stale).
need_update=0
if ! compgen -G '/var/lib/apt/lists/*_Packages*' >/dev/null; then
  need_update=1
else
  for pkg in "${pkgs[@]}"; do
    cand=$(apt-cache policy "$pkg" 2>/dev/null | awk '/Candidate:/ {print $2}')
    if [[ -z "$cand" || "$cand" == "(none)" ]]; then need_update=1; break; fi
  done
fi
if ((need_update)); then
  apt-get update -qq >/dev/null
fi

if ! apt_install "${pkgs[@]}"; then
  # A stale list can point at a version the mirror no longer has: refresh once and retry.
  apt-get update -qq >/dev/null
  apt_install "${pkgs[@]}"
fi

# The packages' own services are not wanted (no systemd here anyway; tests start private
# instances). If a maintainer script did start a system-wide daemon, it would hold ports such
# as 127.0.0.1:25 or :53, so stop the ones that use the default configuration.
if [[ -r /var/spool/postfix/pid/master.pid ]] && /usr/sbin/postfix status >/dev/null 2>&1; then
  /usr/sbin/postfix stop >/dev/null 2>&1 || true
fi
if [[ -r /run/unbound.pid ]] && kill -0 "$(cat /run/unbound.pid)" 2>/dev/null; then
  kill "$(cat /run/unbound.pid)" 2>/dev/null || true
fi

ensure_main_cf

for bin in "${!NEED[@]}"; do
  if [[ ! -x "$bin" ]]; then
    echo "install-peers: $bin still missing after install" >&2
    exit 1
  fi
done
