#!/usr/bin/env bash
# Installs everything ZooCI needs to build, test and run its demo on Debian 12 (bookworm).
#
#   scripts/install-deps.sh
#
# Idempotent: when everything is already present it only checks, and takes a second or two.
#   a) Debian packages (apt-get, only when one is missing).
#   b) ONNX Runtime, assembled into third_party/onnxruntime/{include,lib}:
#      - libonnxruntime.so.1 from the onnxruntime-node npm package (pinned version + sha256),
#      - the C/C++ API headers from Debian 13's libonnxruntime-dev (fetched with a private apt
#        configuration; /etc/apt is never touched),
#      - checked for compatibility (header ORT_API_VERSION must be served by the runtime).
#   c) The browser tests' npm packages (tests/browser/package-lock.json: playwright-core, which
#      drives Debian's chromium; it downloads no browser).
#
# Environment:
#   ONNXRUNTIME_ROOT       use this ONNX Runtime install instead of assembling one (step b is
#                          skipped; include/onnxruntime_cxx_api.h and lib/libonnxruntime.so* are
#                          only verified).
#   ZOOCI_ORT_VERSION      onnxruntime-node version to fetch (default below; change it together
#                          with ZOOCI_ORT_NPM_SHA256).
#   ZOOCI_ORT_NPM_SHA256   expected sha256 of the onnxruntime-node npm tarball.
set -euo pipefail

# ---- Pins and package list ------------------------------------------------------------------
APT_PACKAGES=(
  build-essential cmake ninja-build pkg-config git git-lfs ca-certificates curl xz-utils
  libonnx-dev libonnx-testdata libprotobuf-dev protobuf-compiler
  nlohmann-json3-dev libcli11-dev libspdlog-dev libfmt-dev
  libssl-dev libcurl4-openssl-dev libarchive-dev zlib1g-dev libyaml-cpp-dev
  libopencv-core-dev libopencv-imgproc-dev libopencv-imgcodecs-dev libopencv-dnn-dev
  libgtest-dev libgmock-dev libbenchmark-dev clang-format clang libclang-rt-14-dev
  python3-torch python3-torchvision python3-onnx python3-sklearn python3-numpy
  python3-pil hyperfine locales strace
  libcpp-httplib-dev libsqlite3-dev sqlite3 libpq-dev postgresql wrk
  chromium fonts-dejavu-core
)
# Installed only when `npm` is not already on PATH (e.g. NodeSource's nodejs ships its own npm,
# and Debian's npm package would conflict with it).
NODE_PACKAGES=(nodejs npm)

ORT_VERSION="${ZOOCI_ORT_VERSION:-1.30.0}"
ORT_NPM_SHA256="${ZOOCI_ORT_NPM_SHA256:-6e3390d6b783e7be946fad629292799da28d0b42f84856e50d2c1b0383291e75}"
ORT_NPM_LIB_PATH="package/bin/napi-v6/linux/x64/libonnxruntime.so.1"
ORT_HEADERS_SUITE="trixie"
ORT_HEADERS_PACKAGE="libonnxruntime-dev"
DEBIAN_KEYRING="/usr/share/keyrings/debian-archive-keyring.gpg"

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ORT_DIR="$REPO/third_party/onnxruntime"

# ---- Helpers --------------------------------------------------------------------------------
die() { echo "install-deps: $*" >&2; exit 1; }
say() { echo "$*"; }

TMP_ROOT=""
ORT_STAGE=""
cleanup() {
  if [[ -n "$ORT_STAGE" && -e "$ORT_STAGE" ]]; then rm -rf "$ORT_STAGE"; fi
  if [[ -n "$TMP_ROOT" && -e "$TMP_ROOT" ]]; then rm -rf "$TMP_ROOT"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

SUDO=()
need_root() {
  if [[ $EUID -eq 0 ]]; then
    SUDO=()
  elif command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo)
  else
    die "installing Debian packages needs root, and sudo is not available: run this script as root"
  fi
}

pkg_installed() {
  [[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" == "install ok installed" ]]
}

# ---- a) Debian packages ---------------------------------------------------------------------
step_apt() {
  command -v dpkg-query >/dev/null 2>&1 || die "dpkg-query not found: this script supports Debian 12 only"
  local wanted=("${APT_PACKAGES[@]}")
  if ! command -v npm >/dev/null 2>&1; then
    wanted+=("${NODE_PACKAGES[@]}")
  fi
  local missing=() p
  for p in "${wanted[@]}"; do
    pkg_installed "$p" || missing+=("$p")
  done
  if [[ ${#missing[@]} -eq 0 ]]; then
    say "apt: all ${#wanted[@]} packages present"
    return
  fi
  say "apt: installing ${#missing[@]} missing package(s): ${missing[*]}"
  need_root
  "${SUDO[@]}" apt-get update -qq \
    || die "apt-get update failed: is the Debian archive reachable?"
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends "${missing[@]}" \
    || die "apt-get install failed for: ${missing[*]}"
  for p in "${missing[@]}"; do
    pkg_installed "$p" || die "package $p is still not installed after apt-get install"
  done
  say "apt: installed ${#missing[@]} package(s); all ${#wanted[@]} present"
}

# ---- b) ONNX Runtime ------------------------------------------------------------------------
ort_present() {
  [[ -f "$ORT_DIR/lib/libonnxruntime.so.1" && -L "$ORT_DIR/lib/libonnxruntime.so" \
     && -f "$ORT_DIR/include/onnxruntime_c_api.h" && -f "$ORT_DIR/include/onnxruntime_cxx_api.h" \
     && -f "$ORT_DIR/.stamp" && "$(cat "$ORT_DIR/.stamp")" == "$ORT_VERSION" ]]
}

# Compiles and runs a tiny C program against include/ and lib/ of $1: prints the runtime version
# and fails when the runtime cannot serve the headers' ORT_API_VERSION.
ort_check_compat() {
  local root="$1" work="$2" inc="$1/include"
  [[ -f "$inc/onnxruntime_c_api.h" ]] || inc="$root/include/onnxruntime"
  local header_api
  header_api="$(sed -n 's/^#define ORT_API_VERSION[[:space:]]\+\([0-9]\+\).*/\1/p' "$inc/onnxruntime_c_api.h" | head -n1)"
  [[ -n "$header_api" ]] || die "cannot find '#define ORT_API_VERSION' in $inc/onnxruntime_c_api.h"
  local lib="$root/lib/libonnxruntime.so.1" libs
  if [[ ! -e "$lib" ]]; then
    libs=("$root"/lib/libonnxruntime.so*)
    [[ -e "${libs[0]}" ]] || die "no lib/libonnxruntime.so* under $root"
    lib="${libs[0]}"
  fi
  cat >"$work/ort_check.c" <<'EOF'
#include <stdio.h>
#include <onnxruntime_c_api.h>
int main(void) {
  const OrtApiBase* base = OrtGetApiBase();
  if (base == NULL) { printf("?\n"); return 2; }
  printf("%s\n", base->GetVersionString());
  const OrtApi* api = base->GetApi(ORT_API_VERSION);
  return api == NULL ? 1 : 0;
}
EOF
  command -v cc >/dev/null 2>&1 || die "cc not found (build-essential missing?)"
  cc -std=c99 -o "$work/ort_check" "$work/ort_check.c" -I"$inc" \
     -L"$(dirname "$lib")" -l:"$(basename "$lib")" -Wl,-rpath,"$(dirname "$lib")" \
     || die "compiling the ONNX Runtime check program against $inc and $lib failed"
  local out rc=0
  out="$("$work/ort_check" 2>"$work/ort_check.err")" || rc=$?
  local runtime_version="${out%%$'\n'*}"
  if [[ $rc -ne 0 ]]; then
    die "ONNX Runtime ${runtime_version:-?} (runtime, $lib) cannot serve C API version $header_api" \
        "of the headers in $inc: incompatible (runtime too old for these headers)" \
        "$(cat "$work/ort_check.err" 2>/dev/null)"
  fi
  say "onnxruntime: ONNX Runtime $runtime_version (runtime) with C API headers version $header_api: compatible"
  ORT_RUNTIME_VERSION="$runtime_version"
}

step_ort_override() {
  local root="$ONNXRUNTIME_ROOT"
  [[ -d "$root" ]] || die "ONNXRUNTIME_ROOT=$root is not a directory"
  compgen -G "$root/lib/libonnxruntime.so*" >/dev/null \
    || die "ONNXRUNTIME_ROOT=$root has no lib/libonnxruntime.so*"
  [[ -f "$root/include/onnxruntime_cxx_api.h" || -f "$root/include/onnxruntime/onnxruntime_cxx_api.h" ]] \
    || die "ONNXRUNTIME_ROOT=$root has no include/onnxruntime_cxx_api.h (nor include/onnxruntime/onnxruntime_cxx_api.h)"
  say "onnxruntime: using ONNXRUNTIME_ROOT=$root (not assembling third_party/onnxruntime)"
}

fetch_ort_runtime() {  # $1 = work dir, $2 = stage dir
  local work="$1/npm" stage="$2"
  mkdir -p "$work/cache" "$work/out"
  command -v npm >/dev/null 2>&1 || die "npm not found on PATH (nodejs/npm should have been installed in the apt step)"
  say "onnxruntime: fetching onnxruntime-node@$ORT_VERSION from the npm registry"
  local name
  name="$(cd "$work/out" && npm pack "onnxruntime-node@$ORT_VERSION" --silent \
            --cache "$work/cache" --pack-destination "$work/out" 2>"$work/npm.err" | tail -n1)" \
    || die "npm pack onnxruntime-node@$ORT_VERSION failed: is the npm registry reachable" \
           "(and does that version exist)? npm said:" \
           "$(cat "$work/npm.err" 2>/dev/null; grep -h ' error ' "$work"/cache/_logs/*.log 2>/dev/null | tail -n3)"
  local tgz="$work/out/$name"
  [[ -n "$name" && -f "$tgz" ]] \
    || die "npm pack onnxruntime-node@$ORT_VERSION produced no tarball (got '$name')"
  local actual
  actual="$(sha256sum "$tgz" | cut -d' ' -f1)"
  if [[ "$actual" != "$ORT_NPM_SHA256" ]]; then
    die "sha256 mismatch for onnxruntime-node@$ORT_VERSION ($name): expected $ORT_NPM_SHA256, actual $actual"
  fi
  mkdir -p "$work/x"
  tar -xzf "$tgz" -C "$work/x" "$ORT_NPM_LIB_PATH" \
    || die "extracting $ORT_NPM_LIB_PATH from $name failed"
  mkdir -p "$stage/lib"
  cp "$work/x/$ORT_NPM_LIB_PATH" "$stage/lib/libonnxruntime.so.1"
  chmod 0755 "$stage/lib/libonnxruntime.so.1"
  ln -s libonnxruntime.so.1 "$stage/lib/libonnxruntime.so"
}

fetch_ort_headers() {  # $1 = work dir, $2 = stage dir
  local t="$1/apt" stage="$2"
  [[ -f "$DEBIAN_KEYRING" ]] || die "$DEBIAN_KEYRING not found (package debian-archive-keyring missing?)"
  mkdir -p "$t/lists/partial" "$t/cache/archives/partial" "$t/preferences.d" "$t/debs"
  : >"$t/status"
  echo "deb [signed-by=$DEBIAN_KEYRING] http://deb.debian.org/debian $ORT_HEADERS_SUITE main" >"$t/sources.list"
  local opts=(
    -o "Dir::Etc::SourceList=$t/sources.list" -o Dir::Etc::SourceParts=/dev/null
    -o "Dir::State::Lists=$t/lists" -o "Dir::Cache=$t/cache" -o "Dir::State::Status=$t/status"
    -o Dir::Etc::Preferences=/dev/null -o "Dir::Etc::PreferencesParts=$t/preferences.d"
    -o APT::Architecture=amd64 -o Debug::NoLocking=1
    -o Acquire::Languages=none -o APT::Sandbox::User=root
  )
  say "onnxruntime: fetching $ORT_HEADERS_PACKAGE (Debian $ORT_HEADERS_SUITE) for the API headers"
  apt-get "${opts[@]}" -qq update >"$t/update.log" 2>&1 \
    || die "apt-get update for Debian $ORT_HEADERS_SUITE (private apt config in $t) failed:" \
           "is deb.debian.org reachable? $(tail -n5 "$t/update.log")"
  (cd "$t/debs" && apt-get "${opts[@]}" -qq download "$ORT_HEADERS_PACKAGE") >"$t/download.log" 2>&1 \
    || die "apt-get download $ORT_HEADERS_PACKAGE from Debian $ORT_HEADERS_SUITE failed: $(tail -n5 "$t/download.log")"
  local debs=("$t"/debs/"$ORT_HEADERS_PACKAGE"_*.deb)
  local deb="${debs[0]}"
  [[ -f "$deb" ]] || die "apt-get download $ORT_HEADERS_PACKAGE produced no .deb"
  mkdir -p "$t/x"
  dpkg-deb -x "$deb" "$t/x" || die "dpkg-deb -x $(basename "$deb") failed"
  [[ -f "$t/x/usr/include/onnxruntime/onnxruntime_cxx_api.h" ]] \
    || die "$(basename "$deb") has no usr/include/onnxruntime/onnxruntime_cxx_api.h"
  mkdir -p "$stage/include"
  cp -a "$t/x/usr/include/onnxruntime/." "$stage/include/"
  basename "$deb" >"$stage/headers-from"
}

step_ort() {
  if [[ -n "${ONNXRUNTIME_ROOT:-}" ]]; then
    step_ort_override
    return
  fi
  if ort_present; then
    say "onnxruntime: present ($ORT_VERSION)"
    return
  fi
  TMP_ROOT="$(mktemp -d "${TMPDIR:-/tmp}/zooci-install-deps.XXXXXX")"
  mkdir -p "$REPO/third_party"
  ORT_STAGE="$REPO/third_party/onnxruntime.tmp.$$"
  rm -rf "$ORT_STAGE"
  mkdir -p "$ORT_STAGE"

  fetch_ort_runtime "$TMP_ROOT" "$ORT_STAGE"
  fetch_ort_headers "$TMP_ROOT" "$ORT_STAGE"
  ORT_RUNTIME_VERSION=""
  ort_check_compat "$ORT_STAGE" "$TMP_ROOT"
  if [[ "$ORT_RUNTIME_VERSION" != "$ORT_VERSION" ]]; then
    die "libonnxruntime.so.1 from onnxruntime-node@$ORT_VERSION reports version $ORT_RUNTIME_VERSION"
  fi
  echo "$ORT_VERSION" >"$ORT_STAGE/.stamp"   # last file written into the stage

  # Swap into place: the old directory (if any) is moved aside first, so third_party/onnxruntime
  # is always either absent, the old complete install, or the new complete install.
  local old=""
  if [[ -e "$ORT_DIR" || -L "$ORT_DIR" ]]; then
    old="$REPO/third_party/onnxruntime.old.$$"
    mv "$ORT_DIR" "$old"
  fi
  mv "$ORT_STAGE" "$ORT_DIR" || die "moving $ORT_STAGE to $ORT_DIR failed"
  ORT_STAGE=""
  [[ -z "$old" ]] || rm -rf "$old"
  say "onnxruntime: installed $ORT_VERSION into ${ORT_DIR#"$REPO"/}"
}

# ---- c) Locale -------------------------------------------------------------------------------
# ONNX Runtime's StringNormalizer builds a std::locale named en_US.UTF-8 (its default); without it
# every StringNormalizer model fails to load. Generated with localedef, /etc/locale.gen untouched.
step_locale() {
  if locale -a 2>/dev/null | grep -qiE '^en_US\.utf-?8$'; then
    say "locale: en_US.UTF-8 present"
    return
  fi
  "${SUDO[@]}" localedef -i en_US -f UTF-8 en_US.UTF-8 || die "localedef en_US.UTF-8 failed"
  say "locale: generated en_US.UTF-8"
}

# ---- c) npm packages of the browser tests ----------------------------------------------------
step_npm() {
  local dir="$REPO/tests/browser" want have
  want="$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["packages"]["node_modules/playwright-core"]["version"])' "$dir/package-lock.json")"
  have="$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["version"])' "$dir/node_modules/playwright-core/package.json" 2>/dev/null || true)"
  if [[ "$have" == "$want" ]]; then
    say "npm: playwright-core $have present"
    return
  fi
  say "npm: installing the browser tests' packages (playwright-core $want)"
  (cd "$dir" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --silent) \
    || die "npm ci in tests/browser failed: is the npm registry reachable?"
}

step_apt
step_ort
step_locale
step_npm
