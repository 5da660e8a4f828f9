#!/usr/bin/env bash
# Installs the Debian packages Wisp builds and boots with, if any are missing.
# Safe to run any number of times: it does nothing when everything is there.
#   clang, lld            compile the wasm2c output and link the kernel
#   qemu-system-x86       boots x86_64 kernels (microvm, q35)
#   qemu-system-arm       boots aarch64 kernels (virt)
#   qemu-system-data      qboot, the fast x86 firmware (/usr/share/qemu/qboot.rom)
#   wasi-libc, libclang-rt-14-dev-wasm32
#                         C programs to WASI apps: clang --target=wasm32-wasi
#   llvm                  llvm-readelf, which the app loader's tests check modules with
#   zfs-fuse              zpool/zfs/zdb and the daemon that makes the ZFS fixtures
#                         (test/fixtures/zfs/make-pools.ts) and runs the live ZFS test
#   librsvg2-bin          rsvg-convert, which the tests render boot chart SVGs with
set -euo pipefail

need=()
have() { command -v "$1" >/dev/null 2>&1; }
have clang || need+=(clang)
have ld.lld || need+=(lld)
have qemu-system-x86_64 || need+=(qemu-system-x86)
have qemu-system-aarch64 || need+=(qemu-system-arm)
[ -f /usr/share/qemu/qboot.rom ] || need+=(qemu-system-data)
[ -f /usr/include/wasm32-wasi/wasi/api.h ] || need+=(wasi-libc)
compgen -G "/usr/lib/llvm-*/lib/clang/*/lib/wasi/libclang_rt.builtins-wasm32.a" >/dev/null || need+=(libclang-rt-14-dev-wasm32)
have llvm-readelf || need+=(llvm)
[ -x /usr/sbin/zfs-fuse ] || need+=(zfs-fuse)
have rsvg-convert || need+=(librsvg2-bin)

if [ ${#need[@]} -eq 0 ]; then
  echo "setup: all build and boot tools are installed"
  exit 0
fi

echo "setup: installing ${need[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if have sudo; then sudo="sudo"; else
    echo "setup: need root (or sudo) to install: ${need[*]}" >&2
    exit 1
  fi
fi
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}"
echo "setup: done"
