#!/usr/bin/env bash
# Installs the trustlint release binary for this runner, verified against its published SHA-256, or builds it
# from the action's own source with `cargo install --locked` when no release asset fits.
set -euo pipefail

version="${INPUT_VERSION:-}"
if [ -z "$version" ]; then
  # The action's ref (v0.1.0) names the release; a branch or SHA means "build this source".
  case "${ACTION_REF:-}" in
    v[0-9]*) version="${ACTION_REF#v}" ;;
  esac
fi
version="${version#v}"
repo="${ACTION_REPOSITORY:-trustlint/trustlint}"

case "${RUNNER_OS:-$(uname -s)}-${RUNNER_ARCH:-$(uname -m)}" in
  Linux-X64|Linux-x86_64) target=x86_64-unknown-linux-musl; ext=tar.gz ;;
  Linux-ARM64|Linux-aarch64) target=aarch64-unknown-linux-musl; ext=tar.gz ;;
  macOS-X64|Darwin-x86_64) target=x86_64-apple-darwin; ext=tar.gz ;;
  macOS-ARM64|Darwin-arm64) target=aarch64-apple-darwin; ext=tar.gz ;;
  Windows-X64) target=x86_64-pc-windows-msvc; ext=zip ;;
  Windows-ARM64) target=aarch64-pc-windows-msvc; ext=zip ;;
  *) target=""; ext="" ;;
esac

bindir="${RUNNER_TEMP:-/tmp}/trustlint-bin"
mkdir -p "$bindir"

install_from_source() {
  echo "Building trustlint from source (cargo install --locked)"
  cargo install --locked --root "$bindir/.." --path "$GITHUB_ACTION_PATH"
  echo "$bindir" >> "$GITHUB_PATH"
}

if [ -z "$version" ] || [ -z "$target" ]; then
  install_from_source
  exit 0
fi

asset="trustlint-v${version}-${target}.${ext}"
# TRUSTLINT_RELEASE_BASE_URL points at a mirror of the releases (laid out as <base>/v<version>/<asset> and
# <asset>.sha256, like GitHub's releases/download), or at a local file:// directory in tests.
base="${TRUSTLINT_RELEASE_BASE_URL:-https://github.com/${repo}/releases/download}"
url="${base%/}/v${version}/${asset}"
tmp="$(mktemp -d)"
if curl -fsSL --retry 3 -o "$tmp/$asset" "$url" && curl -fsSL --retry 3 -o "$tmp/$asset.sha256" "$url.sha256"; then
  expected="$(cut -d' ' -f1 < "$tmp/$asset.sha256")"
  if command -v sha256sum >/dev/null; then
    actual="$(sha256sum "$tmp/$asset" | cut -d' ' -f1)"
  else
    actual="$(shasum -a 256 "$tmp/$asset" | cut -d' ' -f1)"
  fi
  if [ "$expected" != "$actual" ]; then
    echo "::error title=trustlint install::checksum mismatch for $asset (expected $expected, got $actual)"
    exit 1
  fi
  case "$ext" in
    tar.gz) tar -xzf "$tmp/$asset" -C "$bindir" ;;
    zip) unzip -q -o "$tmp/$asset" -d "$bindir" ;;
  esac
  echo "$bindir" >> "$GITHUB_PATH"
  echo "Installed trustlint $version ($target)"
else
  echo "No release asset $asset; falling back to a source build"
  install_from_source
fi
