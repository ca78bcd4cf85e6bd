#!/usr/bin/env bash
# The GitHub validator fails on a broken fixture and names the fixture, the JSON path and the
# rule: a copy of push.json without its required "after", and pull_request.opened with a
# state outside the schema's enum, given as a user fixture directory; and a scenario whose
# `set` makes an event invalid (pull_request.closed with merged: "yes").
# Usage: github_validate_rejects.sh HOOKTOOL SOURCE_DIR
set -euo pipefail
hooktool="$1"
src="$2"
command -v node >/dev/null 2>&1 || { echo "SKIPPED: node is not installed"; exit 77; }
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
mkdir -p "$dir/github"
node -e '
const fs = require("fs");
const [src, dir] = process.argv.slice(1);
const push = JSON.parse(fs.readFileSync(`${src}/fixtures/github/push.json`, "utf8"));
delete push.after;
fs.writeFileSync(`${dir}/github/push.json`, JSON.stringify(push));
const pr = JSON.parse(fs.readFileSync(`${src}/fixtures/github/pull_request.opened.json`, "utf8"));
pr.pull_request.state = "merged";
fs.writeFileSync(`${dir}/github/pull_request.opened.json`, JSON.stringify(pr));
fs.mkdirSync(`${dir}/github/scenarios`);
fs.writeFileSync(`${dir}/github/scenarios/broken.json`, JSON.stringify({
  scenario: "broken", description: "merged is not a boolean", shared: [],
  events: [{event: "pull_request.closed", delay_ms: 0, set: {"pull_request.merged": "yes"}}],
}));
' "$src" "$dir"
status=0
out="$("$src/tools/fixtures/github/validate" "$hooktool" "$dir" --only-dir)" || status=$?
echo "$out"
fail() { echo "FAIL: $*" >&2; exit 1; }
[[ $status -eq 1 ]] || fail "validate exited $status on broken fixtures, expected 1"
grep -q "^fixtures/github/push.json: /: must have required property 'after' \[rule #/definitions/push\$event/required\]" <<<"$out" ||
  fail "the missing 'after' of push.json is not reported with its path and rule"
grep -q "^fixtures/github/pull_request.opened.json: /pull_request/state: must be equal to one of the allowed values (open) \[rule #/definitions/pull_request\$opened/properties/pull_request/allOf/1/properties/state/enum\]" <<<"$out" ||
  fail "the bad pull_request.state is not reported with its path and rule"
grep -q "^fixtures/github/scenarios/broken.json (events\[0\] pull_request.closed): /pull_request/merged: must be boolean \[rule " <<<"$out" ||
  fail "the scenario's non-boolean merged is not reported with the scenario, event, path and rule"
echo "ok: both broken fixtures and the broken scenario rejected"
