#!/usr/bin/env bash
# Side-by-side benchmark of trustlint against ripgrep, Checkov and Python's json.load (README, "Performance").
#
#   benches/compare.sh [--runs N] [--files N] [--plan-mb N] [--no-checkov]
#
# Builds trustlint in release mode, installs ripgrep (Debian) and Checkov (PyPI, into a venv under the target
# directory) when missing, generates the inputs under target/bench (never committed), runs everything
# interleaved at the lowest priority and prints medians and ratios. Nothing here is a test: numbers depend on
# the machine and its load.
set -euo pipefail
cd "$(dirname "$0")/.."

runs=7 files=10000 plan_mb=200 checkov=1
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --files) files="$2"; shift 2 ;;
    --plan-mb) plan_mb="$2"; shift 2 ;;
    --no-checkov) checkov=0; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

target="${CARGO_TARGET_DIR:-target}"
work="$target/bench"
mkdir -p "$work"

if [ -z "${TRUSTLINT_BIN:-}" ]; then
  nice -n 19 cargo build --release --quiet
  TRUSTLINT_BIN="$target/release/trustlint"
fi

if ! command -v rg >/dev/null; then
  echo "installing ripgrep" >&2
  if [ "$(id -u)" = 0 ]; then apt-get install -y ripgrep >/dev/null; else sudo apt-get install -y ripgrep >/dev/null; fi
fi

checkov_bin=""
if [ "$checkov" = 1 ]; then
  if [ ! -x "$work/venv/bin/checkov" ]; then
    echo "installing checkov into $work/venv" >&2
    python3 -m venv "$work/venv"
    nice -n 19 "$work/venv/bin/pip" install --quiet checkov
  fi
  checkov_bin="$work/venv/bin/checkov"
fi

corpus="${TRUSTLINT_CORPUS:-../shared/corpus}/terraform-aws-modules__terraform-aws-iam"
echo "trustlint $("$TRUSTLINT_BIN" --version | cut -d' ' -f2), rg $(rg --version | awk 'NR == 1 { print $2 }'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
exec nice -n 19 python3 benches/compare.py --bin "$TRUSTLINT_BIN" --work "$work" --corpus "$corpus" \
  ${checkov_bin:+--checkov "$checkov_bin"} --runs "$runs" --files "$files" --plan-mb "$plan_mb"
