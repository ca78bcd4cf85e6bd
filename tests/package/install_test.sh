#!/usr/bin/env bash
# `cmake --install` into a scratch prefix: the layout is where each tool looks, the
# installed binary finds the installed fixtures relative to its own location (an added
# fixture is listed and sent), and the man page and the generated completions are in place.
# Usage: install_test.sh BUILD_DIR
set -euo pipefail
build=$1
prefix=$(mktemp -d "${TMPDIR:-/tmp}/hooktool-install-XXXXXX")
trap 'rm -rf "$prefix"' EXIT
fail() { echo "install_test: $*" >&2; exit 1; }

cmake --install "$build" --prefix "$prefix" >/dev/null
for f in bin/hooktool share/man/man1/hooktool.1 share/hooktool/fixtures/stripe/invoice.paid.json \
         share/hooktool/fixtures/README.md share/bash-completion/completions/hooktool \
         share/zsh/vendor-completions/_hooktool share/fish/vendor_completions.d/hooktool.fish; do
  [[ -e $prefix/$f ]] || fail "missing $f"
done
[[ -x $prefix/bin/hooktool ]] || fail "bin/hooktool is not executable"
"$prefix/bin/hooktool" --version | grep -q '^hooktool ' || fail "--version"
# The completions are the generated ones: what the installed binary prints for each shell.
for pair in "bash bash-completion/completions/hooktool" "zsh zsh/vendor-completions/_hooktool" \
            "fish fish/vendor_completions.d/hooktool.fish"; do
  read -r shell file <<<"$pair"
  cmp -s <("$prefix/bin/hooktool" completion "$shell") "$prefix/share/$file" ||
    fail "share/$file is not what 'hooktool completion $shell' prints"
done

# The installed fixtures are the ones used: an edited one and an added one.
mkdir -p "$prefix/share/hooktool/fixtures/github"
printf '{"zen":"installed fixture {{uuid}}"}\n' >"$prefix/share/hooktool/fixtures/github/site.hello.json"
listing=$("$prefix/bin/hooktool" fixtures github --json)
grep -q "\"event\":\"site.hello\"" <<<"$listing" || fail "added fixture not listed: $listing"
grep -q "\"origin\":\"$prefix/share/hooktool/fixtures/github/push.json\"" <<<"$listing" ||
  fail "installed push.json not used: $listing"
body=$("$prefix/bin/hooktool" send github site.hello --to 127.0.0.1:9 --secret s --dry-run --json)
grep -q 'installed fixture ' <<<"$body" || fail "send did not use the installed fixture: $body"
echo "install_test: ok ($prefix)"
