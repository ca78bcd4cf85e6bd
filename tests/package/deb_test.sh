#!/usr/bin/env bash
# Builds the .deb with CPack, installs it with dpkg -i on this machine (root only: CI),
# checks Depends and the installed files, runs the installed hooktool (--version, fixtures,
# a send -> listen round trip on loopback), then removes the package again.
# Usage: deb_test.sh BUILD_DIR       Exit 77 (skipped) when not root or dpkg is missing.
set -euo pipefail
build=$1
if [[ $(id -u) -ne 0 ]] || ! command -v dpkg >/dev/null || ! command -v dpkg-shlibdeps >/dev/null; then
  echo "deb_test: skipped (needs root, dpkg and dpkg-dev)"
  exit 77
fi
if dpkg-query -W -f='${Status}' hooktool 2>/dev/null | grep -q "install ok installed"; then
  echo "deb_test: skipped (a hooktool package is already installed; not touching it)"
  exit 77
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/hooktool-deb-XXXXXX")
listen_pid=
cleanup() {
  [[ -n $listen_pid ]] && kill "$listen_pid" 2>/dev/null || true
  dpkg -r hooktool >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "deb_test: $*" >&2; exit 1; }

(cd "$build" && cpack -G DEB -B "$work" >"$work/cpack.log" 2>&1) || fail "cpack: $(tail -5 "$work/cpack.log")"
deb=$(ls "$work"/hooktool_*.deb)
depends=$(dpkg-deb -f "$deb" Depends)
for lib in libc6 libstdc++6 libcurl4 libssl3; do
  grep -q "$lib" <<<"$depends" || fail "Depends lacks $lib: $depends"
done
dpkg -i "$deb" >/dev/null
[[ $(command -v hooktool) == /usr/bin/hooktool ]] || fail "hooktool is not /usr/bin/hooktool"
for f in /usr/share/man/man1/hooktool.1.gz /usr/share/hooktool/fixtures/stripe/invoice.paid.json \
         /usr/share/bash-completion/completions/hooktool /usr/share/zsh/vendor-completions/_hooktool \
         /usr/share/fish/vendor_completions.d/hooktool.fish; do
  [[ -e $f || -e ${f%.gz} ]] || fail "missing $f"
done
/usr/bin/hooktool --version | grep -q '^hooktool ' || fail "--version"
/usr/bin/hooktool fixtures stripe --json | grep -q '"origin":"/usr/share/hooktool/fixtures/stripe/' ||
  fail "the installed binary does not read /usr/share/hooktool/fixtures"

# send -> listen with the installed binary.
/usr/bin/hooktool --no-config listen --port 0 --count 1 --timeout 30 --require-valid \
  --secret github=deb-secret --quiet >"$work/listen.out" 2>"$work/listen.err" &
listen_pid=$!
port=
for _ in $(seq 1 200); do
  port=$(sed -n 's/.*listening on http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/listen.err" | head -1)
  [[ -n $port ]] && break
  kill -0 "$listen_pid" 2>/dev/null || fail "listen exited: $(cat "$work/listen.err")"
  read -r -t 0.05 <> <(:) || true # bounded wait for the banner (200 x 50 ms)
done
[[ -n $port ]] || fail "listen printed no port: $(cat "$work/listen.err")"
/usr/bin/hooktool --no-config send github push --to "127.0.0.1:$port" --secret deb-secret \
  --expect 2xx >/dev/null || fail "send failed"
wait "$listen_pid" || fail "listen exit $?: $(cat "$work/listen.err")"
listen_pid=
grep -q 'valid' "$work/listen.out" || fail "delivery not valid: $(cat "$work/listen.out")"
echo "deb_test: ok ($(basename "$deb"); Depends: $depends)"
