#!/usr/bin/env bash
# Gives WebGPU (npm 'webgpu', Dawn over Vulkan) an adapter on a Debian 12 machine without a GPU: installs
# Mesa's CPU Vulkan driver (lavapipe, Mesa 25 from bookworm-backports; bookworm's own Mesa 22 gives Dawn no
# adapter) and the Vulkan loader into a private prefix, without touching the system's apt sources, and prints
# the environment that points the loader at it:
#
#   eval "$(bash scripts/webgpu-env.sh [PREFIX])"    # then: node / npx vitest / npx tsx …
#
# The variables must be set before Node starts (the dynamic linker reads LD_LIBRARY_PATH at process start).
# PREFIX defaults to $HOME/.cache/lavapipe; a second call reuses it (no network). Prints only `export` lines
# on stdout; progress goes to stderr. Exits non-zero when it cannot install. Same method as
# ../shared/ci/lavapipe.sh, kept here so that an odeforge checkout needs nothing beside it.
set -euo pipefail
PREFIX=${1:-$HOME/.cache/lavapipe}
ICD=$PREFIX/lvp_icd.json
MULTIARCH=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo "$(uname -m)-linux-gnu")
if [ ! -f "$ICD" ]; then
  command -v apt-get >/dev/null || { echo "webgpu-env.sh: needs apt-get (Debian 12)" >&2; exit 1; }
  mkdir -p "$PREFIX/apt/lists/partial" "$PREFIX/apt/cache/archives/partial" "$PREFIX/root" "$PREFIX/debs"
  # The mirror the system already uses, with the backports suite next to it.
  URI=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
  [ -n "$URI" ] || URI=$(awk '/^deb /{print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
  [ -n "$URI" ] || { echo "webgpu-env.sh: no Debian mirror found in the apt sources" >&2; exit 1; }
  printf 'deb %s bookworm main\ndeb %s bookworm-backports main\n' "$URI" "$URI" >"$PREFIX/apt/sources.list"
  O=(-o Dir::Etc::SourceList="$PREFIX/apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
    -o Dir::State::Lists="$PREFIX/apt/lists" -o Dir::Cache="$PREFIX/apt/cache" -o APT::Get::List-Cleanup=0)
  apt-get "${O[@]}" update -qq >&2
  # Downloaded and unpacked, not installed (as root, apt warns that _apt cannot write there: harmless).
  (cd "$PREFIX/debs" && apt-get "${O[@]}" download -qq \
    mesa-vulkan-drivers/bookworm-backports libdrm2/bookworm-backports libdrm-amdgpu1/bookworm-backports >&2)
  # The loader itself (libvulkan1) is missing on a bare machine.
  [ -e "/usr/lib/$MULTIARCH/libvulkan.so.1" ] || (cd "$PREFIX/debs" && apt-get "${O[@]}" download -qq libvulkan1 >&2)
  for d in "$PREFIX"/debs/*.deb; do dpkg -x "$d" "$PREFIX/root"; done
  LIB=$(find "$PREFIX/root" -name 'libvulkan_lvp.so' | head -1)
  [ -n "$LIB" ] || { echo "webgpu-env.sh: libvulkan_lvp.so not found after unpacking" >&2; exit 1; }
  printf '{"file_format_version":"1.0.0","ICD":{"library_path":"%s","api_version":"1.3.0"}}\n' "$LIB" >"$ICD.tmp"
  mv "$ICD.tmp" "$ICD"
fi
echo "export VK_ICD_FILENAMES=$ICD"
echo "export VK_DRIVER_FILES=$ICD"
echo "export LD_LIBRARY_PATH=$PREFIX/root/usr/lib/$MULTIARCH\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}"
echo "export XDG_RUNTIME_DIR=\${XDG_RUNTIME_DIR:-/tmp}"
