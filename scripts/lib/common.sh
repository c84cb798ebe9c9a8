# Shared by scripts/*: paths, package installation, builds. Source it; don't run it.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VAR="${SIEM_VAR_DIR:-$ROOT/var}"
BUILD_CONFIG="${SIEM_BUILD:-release}"

log() { printf '\033[1m==>\033[0m %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# The Debian packages the project needs to build, run and test. Installed only
# when missing, so a second run touches nothing.
SYSTEM_PACKAGES=(
    libfcgi-dev libssl-dev libcurl4-openssl-dev librdkafka-dev libpq-dev
    postgresql nginx openssl cron ca-certificates curl python3-venv
)
TEST_PACKAGES=(wrk chromium chromium-driver faketime)

ensure_packages() {
    local missing=() pkg
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    log "installing ${missing[*]}"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Python venv for the integration, browser and benchmark tooling.
ensure_venv() {
    local venv="$ROOT/.venv" req="$ROOT/Tests/integration/requirements.txt"
    if [ ! -x "$venv/bin/python" ]; then
        log "creating $venv"
        python3 -m venv "$venv"
    fi
    local stamp="$venv/.requirements.sha"
    local want; want="$(sha256sum "$req" | cut -d' ' -f1)"
    if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
        log "installing Python test requirements"
        "$venv/bin/pip" install -q --disable-pip-version-check -r "$req"
        echo "$want" > "$stamp"
    fi
}

bin_dir() { echo "$ROOT/.build/$BUILD_CONFIG"; }

build() {
    log "building ($BUILD_CONFIG)"
    mkdir -p "$VAR/log"
    if ! (cd "$ROOT" && swift build -c "$BUILD_CONFIG" >"$VAR/log/build.log" 2>&1); then
        grep -E 'error:' "$VAR/log/build.log" | head -20 >&2 || tail -20 "$VAR/log/build.log" >&2
        die "build failed (full log: $VAR/log/build.log)"
    fi
}

# PostgreSQL's binaries (Debian keeps them off PATH).
pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }

# PostgreSQL refuses to run as root: as root, the cluster runs as the 'postgres'
# user in a directory that user can reach (a checkout under /root is not).
pg_user() { if [ "$(id -u)" -eq 0 ]; then echo postgres; else id -un; fi; }
as_pg_user() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
