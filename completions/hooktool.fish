# fish completion for hooktool
#
# `cmake --install` puts this file in fish's vendor_completions.d; otherwise copy it
# to ~/.config/fish/completions/hooktool.fish.
#
# Event names for `hooktool send PROVIDER <TAB>` (and `hooktool check PROVIDER
# --event <TAB>`) come from `hooktool fixtures PROVIDER --json` at completion time, so
# user fixtures (--fixtures DIR on the command line) are offered too. Check names for
# `hooktool check --only/--skip <TAB>` come from `hooktool check --list`.

# Options that take no value; every other option takes exactly one.
set -g __hooktool_flags -h --help -V --version --no-color --color --no-config -k --insecure \
    -L --location --json --dry-run -q --quiet --fsync --tls --require-valid --same-payload \
    --resign --as-curl --skip-bad --strict --list --har --jsonl

function __hooktool_takes_value -a word -d 'True when WORD is an option whose value is the next word'
    switch $word
        case '--*=*'
            return 1
        case '--*'
        case '-?'
        case '*'
            # -p9000, -kq: value (or flags) attached
            return 1
    end
    not contains -- $word $__hooktool_flags
end

# Prints, one per line: the subcommand ("-" when none yet), the number of positionals
# after it, 1 when the word being completed is an option's value (else 0), then the
# positionals themselves.
function __hooktool_state
    set -l tokens (commandline -opc)
    set -e tokens[1]
    set -l sub -
    set -l positionals
    set -l pending 0
    set -l dashdash 0
    for t in $tokens
        if test $pending -eq 1
            set pending 0
            continue
        end
        if test $dashdash -eq 0; and string match -q -- '-?*' $t
            if test "$t" = --
                test "$sub" != -; and set dashdash 1
                continue
            end
            __hooktool_takes_value $t; and set pending 1
            continue
        end
        if test "$sub" = -
            set sub $t
        else
            set -a positionals $t
        end
    end
    printf '%s\n' $sub (count $positionals) $pending $positionals
end

function __hooktool_want_subcommand
    set -l st (__hooktool_state)
    test "$st[1]" = -
end

function __hooktool_using -d 'True when the subcommand is one of the arguments'
    set -l st (__hooktool_state)
    contains -- $st[1] $argv
end

function __hooktool_want_provider
    set -l st (__hooktool_state)
    contains -- $st[1] send sign verify check fixtures; and test $st[2] -eq 0; and test $st[3] -eq 0
end

function __hooktool_want_capture_file
    set -l st (__hooktool_state)
    contains -- "$st[1]" replay export; and test $st[2] -eq 0; and test $st[3] -eq 0
end

function __hooktool_want_config_action
    set -l st (__hooktool_state)
    test "$st[1]" = config; and test $st[2] -eq 0; and test $st[3] -eq 0
end

function __hooktool_want_event
    set -l st (__hooktool_state)
    test "$st[1]" = send; and test $st[2] -eq 1; and test $st[3] -eq 0
end

# The hooktool to run for dynamic candidates: the command as typed (e.g.
# ./build/hooktool) when it is a path to an executable, else hooktool on PATH.
function __hooktool_bin
    set -l tokens (commandline -opc)
    set -l bin (string replace -r -- '^~/' "$HOME/" $tokens[1])
    if not string match -q -- '*/*' $bin; or not test -x "$bin"
        set bin hooktool
    end
    echo $bin
end

# The provider's events, from `hooktool fixtures PROVIDER --json` (with any
# --fixtures DIR already on the command line).
function __hooktool_events
    set -l st (__hooktool_state)
    set -q st[4]; or return
    set -l provider $st[4]
    set -l tokens (commandline -opc)
    set -l bin (__hooktool_bin)
    set -l extra
    set -l n (count $tokens)
    for i in (seq 2 $n)
        set -l dir
        switch $tokens[$i]
            case --fixtures
                test $i -lt $n; or continue
                set dir $tokens[(math $i + 1)]
            case '--fixtures=*'
                set dir (string replace -- --fixtures= '' $tokens[$i])
            case '*'
                continue
        end
        set dir (string replace -r -- '^~(?=/|$)' "$HOME" $dir)
        test -n "$dir"; and test -d "$dir"; and set -a extra --fixtures $dir
    end
    command $bin fixtures $provider --json $extra </dev/null 2>/dev/null |
        string match -r -- '"event"\s*:\s*"[^"]*"' |
        string replace -r -- '.*"([^"]*)"$' '$1'
end

# check --only/--skip: a comma-separated list of check names (the first column of
# `hooktool check --list`, with its description); completes the last name, keeping the
# ones before it and not offering them again.
function __hooktool_checks
    set -l tok (string replace -r -- '^--[^=]*=' '' (commandline -ct))
    set -l pre (string match -r -- '^.*,' "$tok")
    set -l done (string split -- , (string replace -r -- ',$' '' "$pre"))
    set -l bin (__hooktool_bin)
    command $bin check --list </dev/null 2>/dev/null |
        while read -l name desc
            test -n "$name"; or continue
            contains -- $name $done; and continue
            printf '%s%s\t%s\n' "$pre" $name (string trim -- "$desc")
        end
end

# @FILE values (--data, --body, --response-body): the text itself, - or @FILE.
function __hooktool_at_files
    set -l tok (commandline -ct)
    set tok (string replace -r -- '^--[^=]*=' '' "$tok")
    set tok (string replace -r -- '^@' '' "$tok")
    for f in (__fish_complete_path "$tok")
        printf '@%s\n' $f
    end
end

function __hooktool_dirs
    set -l tok (commandline -ct)
    __fish_complete_directories (string replace -r -- '^--[^=]*=' '' "$tok")
end

# --secret: a bare SECRET or provider=SECRET; offer the provider= prefixes.
function __hooktool_secret_prefixes
    set -l tok (commandline -ct)
    string match -q -- '*=*' (string replace -r -- '^--[^=]*=' '' "$tok"); and return
    printf '%s=\n' stripe github shopify twilio slack standard svix generic
end

complete -c hooktool -f

# Before the subcommand
complete -c hooktool -n __hooktool_want_subcommand -a send -d 'Send a provider-shaped, signed webhook to a URL'
complete -c hooktool -n __hooktool_want_subcommand -a sign -d 'Print the signature headers for a body'
complete -c hooktool -n __hooktool_want_subcommand -a verify -d 'Verify a delivery signature offline'
complete -c hooktool -n __hooktool_want_subcommand -a listen -d 'Receive, verify, capture and forward webhooks'
complete -c hooktool -n __hooktool_want_subcommand -a replay -d 'Re-send captured deliveries byte for byte'
complete -c hooktool -n __hooktool_want_subcommand -a check -d 'Grade a webhook handler against the receiving checklist'
complete -c hooktool -n __hooktool_want_subcommand -a fixtures -d 'List providers and the events send can fire'
complete -c hooktool -n __hooktool_want_subcommand -a export -d 'Convert captured deliveries to HAR, or a HAR to capture lines'
complete -c hooktool -n __hooktool_want_subcommand -a config -d 'Show the settings in force and where each comes from'
complete -c hooktool -n __hooktool_want_subcommand -l no-config -d 'Read no config file'
complete -c hooktool -n __hooktool_want_subcommand -s h -l help -d 'Print help and exit'
complete -c hooktool -n __hooktool_want_subcommand -s V -l version -d 'Display program version and exit'
complete -c hooktool -n __hooktool_want_subcommand -l no-color -d 'Never use colour'
complete -c hooktool -n __hooktool_want_subcommand -l color -d 'Always use colour'

# Positionals: provider (send, sign, verify, check, fixtures), then event (send);
# the capture file (replay)
complete -c hooktool -n __hooktool_want_provider -a 'stripe github shopify twilio slack standard svix generic' -d Provider
complete -c hooktool -n __hooktool_want_event -a '(__hooktool_events)' -d Event
complete -c hooktool -n __hooktool_want_capture_file -F -d 'Capture or HAR file'

# Shared by several subcommands
complete -c hooktool -n '__hooktool_using send sign verify listen replay check fixtures export config' -s h -l help -d 'Print help and exit'
complete -c hooktool -n '__hooktool_using send sign verify listen replay check' -l secret -x -a '(__hooktool_secret_prefixes)' -d 'Secret, or provider=SECRET (repeatable)'
complete -c hooktool -n '__hooktool_using send sign verify replay check listen' -l secret-file -r -F -d 'Read the secret from a file'
complete -c hooktool -n '__hooktool_using send verify replay check' -s H -l header -x -d "Header 'Name: value' (repeatable)"
complete -c hooktool -n '__hooktool_using send verify listen replay check fixtures config' -l json -d 'JSON output'
complete -c hooktool -n '__hooktool_using sign verify' -l body -x -a '(__hooktool_at_files)' -d 'Body: @file, - (stdin) or the text itself'
complete -c hooktool -n '__hooktool_using sign verify' -l url -x -d 'twilio: the URL the request is sent to'
complete -c hooktool -n '__hooktool_using verify listen' -l tolerance -x -d 'Replay window in seconds (0: off)'
complete -c hooktool -n '__hooktool_using send check fixtures' -l fixtures -x -a '(__hooktool_dirs)' -d 'Extra fixture directory'
complete -c hooktool -n '__hooktool_using send listen replay check' -l timeout -x -d 'Seconds to wait'
complete -c hooktool -n '__hooktool_using send replay check' -l to -x -d 'Target: localhost:3000, :3000, http(s)://host:port/path'
complete -c hooktool -n '__hooktool_using send replay check' -s k -l insecure -d 'Do not verify the TLS certificate'
complete -c hooktool -n '__hooktool_using send replay' -s L -l location -d 'Follow redirects (same method and body)'
complete -c hooktool -n '__hooktool_using send replay' -l expect -x -a '2xx 4xx 5xx' -d 'Expected status'
complete -c hooktool -n '__hooktool_using send check' -l signing-url -x -d 'twilio: the URL to sign (the one the handler sees)'

# send
complete -c hooktool -n '__hooktool_using send' -l duplicate -x -d 'Send the identical delivery N times'
complete -c hooktool -n '__hooktool_using send' -l tamper -x -a 'signature body timestamp' -d 'Break the delivery after signing'
complete -c hooktool -n '__hooktool_using send' -l age -x -d 'Backdate the timestamp by SECONDS'
complete -c hooktool -n '__hooktool_using send' -l retries -x -d 'Re-send up to N times on non-2xx or no answer'
complete -c hooktool -n '__hooktool_using send' -l backoff -x -d 'First retry delay: 500ms, 1s, 2m'
complete -c hooktool -n '__hooktool_using send' -l dry-run -d 'Print the request instead of sending it'
complete -c hooktool -n '__hooktool_using send' -l save -r -F -d 'Append what was sent to FILE'
complete -c hooktool -n '__hooktool_using send' -l set -x -d 'Override a payload field: PATH=VALUE'
complete -c hooktool -n '__hooktool_using send' -l data -x -a '(__hooktool_at_files)' -d 'Replace the payload: @file, - (stdin) or the text'
complete -c hooktool -n '__hooktool_using send' -l count -x -d 'Load mode: send N deliveries'
complete -c hooktool -n '__hooktool_using send' -l concurrency -x -d 'Load mode: deliveries in flight at once'
complete -c hooktool -n '__hooktool_using send' -l rate -x -d 'Load mode: deliveries started per second'
complete -c hooktool -n '__hooktool_using send' -l duration -x -d 'Load mode: stop after SECONDS'
complete -c hooktool -n '__hooktool_using send' -l same-payload -d 'Load mode: send one signed delivery over and over'

# sign
complete -c hooktool -n '__hooktool_using sign' -l timestamp -x -d 'Unix seconds to sign with (default: now)'
complete -c hooktool -n '__hooktool_using sign' -l id -x -d 'standard/svix: the message id'

# verify
complete -c hooktool -n '__hooktool_using verify' -l now -x -d 'Verify as if at this Unix time'

# listen
complete -c hooktool -n '__hooktool_using listen' -l host -x -a '127.0.0.1 0.0.0.0 ::1' -d 'Address to bind'
complete -c hooktool -n '__hooktool_using listen' -s p -l port -x -d 'Port (0 picks a free one)'
complete -c hooktool -n '__hooktool_using listen' -l provider -x -a 'stripe github shopify twilio slack standard svix generic' -d 'Treat every delivery as this provider'
complete -c hooktool -n '__hooktool_using listen' -l public-url -x -d 'The URL senders use (behind a tunnel)'
complete -c hooktool -n '__hooktool_using listen' -s q -l quiet -d 'One line per delivery'
complete -c hooktool -n '__hooktool_using listen' -l capture -r -F -d 'Append every delivery to FILE (JSON Lines)'
complete -c hooktool -n '__hooktool_using listen' -l fsync -d 'fsync each capture line before answering'
complete -c hooktool -n '__hooktool_using listen' -l status -x -d 'Status to answer with'
complete -c hooktool -n '__hooktool_using listen' -l delay -x -d 'Wait MS milliseconds before answering'
complete -c hooktool -n '__hooktool_using listen' -l fail-rate -x -d 'Answer 500 with this probability (0..1)'
complete -c hooktool -n '__hooktool_using listen' -l seed -x -d 'Seed for --fail-rate'
complete -c hooktool -n '__hooktool_using listen' -l response-body -x -a '(__hooktool_at_files)' -d 'Body to answer with: text, @file'
complete -c hooktool -n '__hooktool_using listen' -l forward-to -x -d "Relay to URL, or 'provider[:event-glob]=URL'"
complete -c hooktool -n '__hooktool_using listen' -l forward-timeout -x -d 'Seconds to wait for the handler'
complete -c hooktool -n '__hooktool_using listen' -l tls -d 'Serve HTTPS with a generated self-signed certificate'
complete -c hooktool -n '__hooktool_using listen' -l tls-cert -r -F -d 'Serve HTTPS with this PEM certificate'
complete -c hooktool -n '__hooktool_using listen' -l tls-key -r -F -d 'Private key (PEM) for --tls-cert'
complete -c hooktool -n '__hooktool_using listen' -s n -l count -x -d 'Exit after N deliveries'
complete -c hooktool -n '__hooktool_using listen' -l require-valid -d 'Exit status 1 if any delivery was not valid'
complete -c hooktool -n '__hooktool_using listen' -l max-body -x -d 'Largest body accepted, in bytes'
complete -c hooktool -n '__hooktool_using listen' -l workers -x -d 'Worker threads'

# replay
complete -c hooktool -n '__hooktool_using replay' -l keep-path -x -a 'yes no' -d 'Join the captured path to --to (yes) or post to --to as given (no)'
complete -c hooktool -n '__hooktool_using replay export' -l id -x -d 'Only this capture id or provider event id (repeatable)'
complete -c hooktool -n '__hooktool_using replay export' -l event -x -d 'Only event types matching this glob (invoice.*)'
complete -c hooktool -n '__hooktool_using replay export' -l provider -x -a 'stripe github shopify twilio slack standard svix generic' -d "Only this provider's deliveries"
complete -c hooktool -n '__hooktool_using replay export' -l last -x -d 'Only the last N selected deliveries'
complete -c hooktool -n '__hooktool_using replay export' -l since -x -d 'Only deliveries received since: RFC 3339 or 10m, 2h, 1d ago'
complete -c hooktool -n '__hooktool_using replay export' -l until -x -d 'Only deliveries received before: RFC 3339 or 10m, 2h, 1d ago'
complete -c hooktool -n '__hooktool_using replay' -l times -x -d 'Send each delivery N times (idempotency drill)'
complete -c hooktool -n '__hooktool_using replay' -l concurrency -x -d 'Send that many copies at once'
complete -c hooktool -n '__hooktool_using replay' -l delay -x -d 'Wait MS milliseconds between sends'
complete -c hooktool -n '__hooktool_using replay' -l resign -d 'Sign again with a fresh timestamp (needs --secret)'
complete -c hooktool -n '__hooktool_using replay' -l as-curl -d 'Print a curl command per delivery instead of sending'
complete -c hooktool -n '__hooktool_using replay' -l curl-dir -x -a '(__hooktool_dirs)' -d '--as-curl: where to write bodies that hold NUL bytes'
complete -c hooktool -n '__hooktool_using replay export' -l skip-bad -d 'Skip malformed lines (counted) instead of stopping'

# export
complete -c hooktool -n '__hooktool_using export' -l har -d 'Write HAR 1.2 (the default)'
complete -c hooktool -n '__hooktool_using export' -l jsonl -d 'Write capture lines (JSON Lines)'
complete -c hooktool -n '__hooktool_using export' -s o -l output -r -F -d 'Write to FILE instead of stdout'

# config
complete -c hooktool -n __hooktool_want_config_action -a show -d 'Print each setting and where it is set'

# check
complete -c hooktool -n '__hooktool_using check' -l event -x -a '(__hooktool_events)' -d 'Fixture to build deliveries from'
complete -c hooktool -n '__hooktool_using check' -l only -x -a '(__hooktool_checks)' -d 'Run only these checks (comma-separated or repeated)'
complete -c hooktool -n '__hooktool_using check' -l skip -x -a '(__hooktool_checks)' -d 'Skip these checks (comma-separated or repeated)'
complete -c hooktool -n '__hooktool_using check' -l strict -d 'Exit 1 on WARN too'
complete -c hooktool -n '__hooktool_using check' -l probe -x -d 'Shell command printing a number, run around the duplicate checks'
complete -c hooktool -n '__hooktool_using check' -l copies -x -d 'Copies sent at once by handles-concurrent-duplicates'
complete -c hooktool -n '__hooktool_using check' -l slow-after -x -d 'WARN when a valid delivery takes longer (ms)'
complete -c hooktool -n '__hooktool_using check' -l list -d 'List the checks and exit'

# Generic scheme (send, sign, verify, listen, replay, check)
complete -c hooktool -n '__hooktool_using send sign verify listen replay check' -l generic-header -x -d 'generic: signature header name'
complete -c hooktool -n '__hooktool_using send sign verify listen replay check' -l generic-algo -x -a 'sha1 sha256 sha512' -d 'generic: HMAC hash'
complete -c hooktool -n '__hooktool_using send sign verify listen replay check' -l generic-encoding -x -a 'hex base64' -d 'generic: signature encoding'
complete -c hooktool -n '__hooktool_using send sign verify listen replay check' -l generic-prefix -x -d 'generic: text before the signature'
complete -c hooktool -n '__hooktool_using send sign verify listen replay check' -l generic-sign -x -a 'body timestamp' -d 'generic: what is signed'
complete -c hooktool -n '__hooktool_using send sign verify listen replay check' -l generic-timestamp-header -x -d 'generic: timestamp header'
complete -c hooktool -n '__hooktool_using send sign verify listen replay check' -l generic-separator -x -d 'generic: between timestamp and body'
