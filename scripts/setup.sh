#!/usr/bin/env bash
# Installs what fusegrad needs on a fresh Debian/Ubuntu machine, then the npm packages.
#  - With a GPU driver (a Vulkan ICD is registered): only the Vulkan loader if it is missing.
#  - Without one: Debian's chromium package too, for its SwiftShader CPU Vulkan driver
#    (/usr/lib/chromium/vk_swiftshader_icd.json), which fusegrad finds by itself.
#  - FUSEGRAD_WITH_CHROMIUM=1 installs chromium anyway (the browser tests and bench:chrome use it).
set -euo pipefail
cd "$(dirname "$0")/.."

packages=()
if ! ldconfig -p 2>/dev/null | grep -q 'libvulkan\.so\.1'; then packages+=(libvulkan1); fi
# A GPU driver: a GPU device node and a Vulkan ICD that is not a CPU one (lavapipe, SwiftShader).
gpu_icd=""
if ls /dev/dri/renderD* /dev/nvidia0 >/dev/null 2>&1; then
  gpu_icd=$(ls /usr/share/vulkan/icd.d/*.json /etc/vulkan/icd.d/*.json /usr/local/nvidia/share/vulkan/icd.d/*.json 2>/dev/null | grep -v -e lvp -e swiftshader | tr '\n' ' ' || true)
fi
if [ ! -x /usr/bin/chromium ] && { [ -z "$gpu_icd" ] || [ "${FUSEGRAD_WITH_CHROMIUM:-0}" = 1 ]; }; then
  packages+=(chromium)
fi
if [ ${#packages[@]} -gt 0 ]; then
  echo "setup: installing ${packages[*]} (apt)"
  sudo_cmd=""
  if [ "$(id -u)" != 0 ]; then sudo_cmd="sudo"; fi
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
fi
if [ -n "$gpu_icd" ]; then echo "setup: GPU Vulkan driver found: $gpu_icd"; else echo "setup: no GPU driver; fusegrad will use SwiftShader"; fi
npm ci --no-audit --no-fund --loglevel=error
