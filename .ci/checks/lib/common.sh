# Sourced by the .ci/checks scripts: what they share. Installs what a check needs on a fresh
# Debian machine (root, only the Rust toolchain), idempotently, with pinned npm versions.

# The build time of example-site builds: the day after its newest article (2026-11-26), so
# the checks see the same site on any date (tests/common/mod.rs: example_now).
export SOURCE_DATE_EPOCH=1795737600

# The npm packages of the browser checks, pinned (playwright-core drives Debian's chromium).
PLAYWRIGHT_CORE=playwright-core@1.65.1
AXE_CORE=axe-core@4.14.1

# apt_need COMMAND=PACKAGE ...: installs each PACKAGE whose COMMAND (or absolute file) is missing.
apt_need() {
  local missing=() pair what
  for pair in "$@"; do
    what=${pair%%=*}
    if [ "${what#/}" != "$what" ]; then
      [ -e "$what" ] || missing+=("${pair#*=}")
    else
      command -v "$what" >/dev/null 2>&1 || missing+=("${pair#*=}")
    fi
  done
  if [ ${#missing[@]} -gt 0 ]; then
    apt_install "${missing[@]}"
  fi
}

# apt_install PACKAGE ...: installs Debian packages (a no-op for those already installed).
apt_install() {
  echo "-- installing $*"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "$@" >/dev/null
}

# npm_need DIR NAME@VERSION ...: installs each package into DIR/node_modules unless that exact
# version is there (Node and npm come from Debian).
npm_need() {
  local dir=$1 spec name version have missing=0
  shift
  apt_need node=nodejs npm=npm
  for spec in "$@"; do
    name=${spec%@*}
    version=${spec##*@}
    have=$(node -p "try { require('$dir/node_modules/$name/package.json').version } catch (e) { '' }")
    [ "$have" = "$version" ] || missing=1
  done
  # All at once: npm removes packages it was not asked for from a --no-save install.
  if [ "$missing" = 1 ]; then
    echo "-- installing $*"
    (cd "$dir" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --silent --no-audit --no-fund \
      --no-save --no-package-lock "$@" >/dev/null)
  fi
}
