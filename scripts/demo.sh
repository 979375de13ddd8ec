#!/usr/bin/env bash
# Builds Kestrel and runs the bundled AArch64 hello world with it.
#
#   scripts/demo.sh [args for the guest program...]
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
exec target/x86_64-unknown-linux-gnu/release/kestrel-aarch64 test-binaries/bin/hello "$@"
