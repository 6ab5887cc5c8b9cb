#!/usr/bin/env bash
# Runs the scan: SARIF to a file, annotations and the step summary to the log. Never fails the step itself;
# the action's last step turns the recorded exit code into the step result, after SARIF upload.
set -uo pipefail

args=(scan --fail-on "${INPUT_FAIL_ON:-warning}" --format "sarif=${INPUT_SARIF_FILE:-trustlint.sarif}" --format github)
if [ -n "${INPUT_CONFIG:-}" ]; then
  args+=(--config "$INPUT_CONFIG")
fi
# Paths are split on whitespace only: they come from the workflow author, never from the scanned code.
read -r -a paths <<< "$(echo "${INPUT_PATH:-.}" | tr '\n' ' ')"
args+=("${paths[@]}")

trustlint "${args[@]}"
code=$?
echo "exit-code=$code" >> "$GITHUB_OUTPUT"
if [ -f "${INPUT_SARIF_FILE:-trustlint.sarif}" ]; then
  echo "sarif-file=${INPUT_SARIF_FILE:-trustlint.sarif}" >> "$GITHUB_OUTPUT"
fi
exit 0
