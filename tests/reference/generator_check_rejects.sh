#!/usr/bin/env bash
# generator_reproduces.sh fails on committed fixtures that are not the generator's output, and
# names each file: a copy of fixtures/twilio (its generator needs no packages) with one byte
# of one file changed, one file removed and one file added.
# Usage: generator_check_rejects.sh SOURCE_DIR
set -euo pipefail
src=$1
command -v node >/dev/null 2>&1 || { echo "SKIPPED: node is not installed"; exit 77; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cp -R "$src/fixtures/twilio" "$dir/twilio"
fail() { echo "FAIL: $*" >&2; exit 1; }

# One byte in the middle of a form: the 200th.
changed=message.status.delivered.form
printf 'X' | dd of="$dir/twilio/$changed" bs=1 seek=199 conv=notrunc status=none
cmp -s "$src/fixtures/twilio/$changed" "$dir/twilio/$changed" && fail "the copy was not changed"
rm "$dir/twilio/call.status.busy.form"
echo '{}' >"$dir/twilio/com.twilio.messaging.message.extra.json"

status=0
out=$(bash "$src/tests/reference/generator_reproduces.sh" "$src" twilio "$dir/twilio") || status=$?
echo "$out"
[[ $status -eq 1 ]] || fail "generator_reproduces.sh exited $status on changed fixtures, expected 1"
grep -qx "FAIL: twilio/$changed: the committed file differs from the generator's output (byte 200, line 1)" <<<"$out" ||
  fail "the changed byte of $changed is not reported with its position"
grep -qx "FAIL: twilio/call.status.busy.form: the generator writes it but it is not committed" <<<"$out" ||
  fail "the removed call.status.busy.form is not reported"
grep -qx "FAIL: twilio/com.twilio.messaging.message.extra.json: committed but the generator does not write it" <<<"$out" ||
  fail "the extra committed file is not reported"
[[ $(grep -c '^FAIL' <<<"$out") -eq 3 ]] || fail "expected exactly 3 FAIL lines"

# The untouched copy passes (the check compares with the directory it is given).
rm -rf "$dir/twilio" && cp -R "$src/fixtures/twilio" "$dir/twilio"
bash "$src/tests/reference/generator_reproduces.sh" "$src" twilio "$dir/twilio" >/dev/null ||
  fail "an unchanged copy of fixtures/twilio does not pass"
echo "ok: a changed byte, a missing file and an extra file are each named"
