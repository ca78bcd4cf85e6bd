# bash completion for hooktool                              -*- shell-script -*-
#
# Installed by `cmake --install` into bash-completion's completions directory; or
# source it from ~/.bashrc:  source /path/to/completions/hooktool.bash
#
# Self-contained: it does not need the bash-completion package's helpers.
# Event names for `hooktool send PROVIDER <TAB>` (and `hooktool check PROVIDER
# --event <TAB>`) come from `hooktool fixtures PROVIDER --json` at completion time, so
# user fixtures (--fixtures DIR on the command line) are offered too. Check names for
# `hooktool check --only/--skip <TAB>` come from `hooktool check --list`.

_hooktool_providers='stripe github shopify twilio slack standard svix generic'
_hooktool_subcommands='send sign verify listen replay check fixtures export config'

# Options that take no value; every other option takes exactly one.
_hooktool_flags=' -h --help -V --version --no-color --color --no-config -k --insecure -L
  --location --json --dry-run -q --quiet --fsync --tls --require-valid --same-payload --resign
  --as-curl --skip-bad --strict --list --har --jsonl '

_hooktool_generic_opts='--generic-header --generic-algo --generic-encoding --generic-prefix
  --generic-sign --generic-timestamp-header --generic-separator'

# _hooktool_options SUBCOMMAND: the options SUBCOMMAND accepts ("" = before the subcommand).
_hooktool_options() {
  case $1 in
    send)
      echo "-h --help --to --secret --secret-file -H --header --timeout -k --insecure
        -L --location --expect --json --duplicate --tamper --age --retries --backoff --dry-run --save
        --set --data --fixtures --signing-url --count --concurrency --rate --duration
        --same-payload $_hooktool_generic_opts"
      ;;
    sign)
      echo "-h --help --secret --secret-file --body --url --timestamp --id $_hooktool_generic_opts"
      ;;
    verify)
      echo "-h --help --secret --secret-file -H --header --body --url --tolerance --now
        --json $_hooktool_generic_opts"
      ;;
    listen)
      echo "-h --help --host -p --port --provider --secret --secret-file --tolerance --public-url -q --quiet
        --json --capture --fsync --status --delay --fail-rate --seed --response-body
        --forward-to --forward-timeout --tls --tls-cert --tls-key -n --count --timeout
        --require-valid --max-body --workers $_hooktool_generic_opts"
      ;;
    replay)
      echo "-h --help --to --keep-path --id --event --provider --last --since --until --times
        --concurrency --delay --resign --secret --secret-file -H --header --expect --json
        --as-curl --curl-dir --skip-bad --timeout -k --insecure -L --location
        $_hooktool_generic_opts"
      ;;
    check)
      echo "-h --help --to --secret --secret-file --event --only --skip --json --strict --probe
        --copies -H --header --fixtures --signing-url --timeout -k --insecure --slow-after
        --list $_hooktool_generic_opts"
      ;;
    fixtures)
      echo "-h --help --fixtures --json"
      ;;
    export)
      echo "-h --help --har --jsonl -o --output --id --event --provider --last --since --until
        --skip-bad"
      ;;
    config)
      echo "-h --help --json"
      ;;
    *)
      echo "-h --help -V --version --no-color --color --no-config"
      ;;
  esac
}

# _hooktool_takes_value WORD: true when WORD is an option whose value is the next word.
_hooktool_takes_value() {
  case $1 in
    --) return 1 ;;
    --*=*) return 1 ;;            # --opt=value
    --*) ;;
    -[a-zA-Z]?*) return 1 ;;      # -p9000, -kq: value (or flags) attached
    -?) ;;
    *) return 1 ;;
  esac
  local flags=" ${_hooktool_flags//[$'\n\t']/ } "
  [[ $flags != *" $1 "* ]]
}

# Rebuild the command line into words/cword, gluing back the "=", ":" and "@" that
# bash's COMP_WORDBREAKS split off (--tamper=body, --to localhost:3000,
# --secret stripe=whsec_…, --data @file).
_hooktool_reassemble() {
  local line=${COMP_LINE-} have_line=0 i j=-1 w trimmed glue prev_sep=0 is_sep
  [[ -n ${COMP_LINE+set} ]] && have_line=1
  words=()
  cword=0
  for ((i = 0; i < ${#COMP_WORDS[@]}; i++)); do
    w=${COMP_WORDS[i]}
    glue=0
    is_sep=0
    [[ -n $w && -z ${w//[=:@]/} ]] && is_sep=1
    if ((i > 0 && j >= 1 && (is_sep || prev_sep))); then
      glue=1
      if ((have_line)); then
        trimmed=${line#"${line%%[![:blank:]]*}"}
        [[ $trimmed != "$line" ]] && glue=0 # whitespace before this word
      fi
    fi
    if ((have_line)); then
      line=${line#*"$w"}
    fi
    if ((glue)); then
      words[j]+=$w
    else
      j=$((j + 1))
      words[j]=$w
    fi
    prev_sep=$is_sep
    ((i == COMP_CWORD)) && cword=$j
  done
  if ((COMP_CWORD >= ${#COMP_WORDS[@]})); then
    j=$((j + 1))
    words[j]=
    cword=$j
  fi
}

_hooktool_is_break() {
  [[ ${COMP_WORDBREAKS-$' \t\n"\'@><=;|&(:'} == *"$1"* ]]
}

# Readline only replaces the text after the last "=" or ":" (when those are in
# COMP_WORDBREAKS); drop that leading part from the candidates. ("@" also splits
# COMP_WORDS, but readline keeps it in the word it replaces.)
_hooktool_ltrim() {
  local cur=$1 i c pre=
  for ((i = ${#cur} - 1; i >= 0; i--)); do
    c=${cur:i:1}
    if [[ ($c == = || $c == :) ]] && _hooktool_is_break "$c"; then
      pre=${cur:0:i+1}
      break
    fi
  done
  if [[ -n $pre ]]; then
    local k
    for k in "${!COMPREPLY[@]}"; do
      COMPREPLY[k]=${COMPREPLY[k]#"$pre"}
    done
  fi
}

# _hooktool_reply COMPGEN-ARGS...: COMPREPLY from compgen, one candidate per line.
_hooktool_reply() {
  mapfile -t COMPREPLY < <(compgen "$@")
}

_hooktool_compopt() {
  compopt "$@" 2>/dev/null
}

# _hooktool_expand_tilde WORD: ~/x -> $HOME/x (only the plain ~/ form).
# shellcheck disable=SC2088 # the quoted ~ is matched, not expanded, on purpose
_hooktool_expand_tilde() {
  case $1 in
    '~') printf '%s\n' "$HOME" ;;
    '~/'*) printf '%s\n' "$HOME/${1#'~/'}" ;;
    *) printf '%s\n' "$1" ;;
  esac
}

# _hooktool_bin: the hooktool to run for dynamic candidates: the command as typed
# (e.g. ./build/hooktool) when it is a path to an executable, else hooktool on PATH.
_hooktool_bin() {
  local bin
  bin=$(_hooktool_expand_tilde "${words[0]}")
  if [[ $bin != */* ]] || [[ ! -x $bin ]]; then
    bin=hooktool
  fi
  printf '%s\n' "$bin"
}

# _hooktool_events PROVIDER [DIR...]: event names from `hooktool fixtures PROVIDER --json`.
_hooktool_events() {
  local provider=$1 bin dir
  shift
  local -a extra=()
  for dir in "$@"; do
    dir=$(_hooktool_expand_tilde "$dir")
    [[ -d $dir ]] && extra+=(--fixtures "$dir")
  done
  bin=$(_hooktool_bin)
  command "$bin" fixtures "$provider" --json "${extra[@]}" </dev/null 2>/dev/null |
    sed -n 's/.*"event"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p'
}

# _hooktool_checks: the check names, the first column of `hooktool check --list`.
_hooktool_checks() {
  local bin
  bin=$(_hooktool_bin)
  command "$bin" check --list </dev/null 2>/dev/null | sed -n 's/^\([^[:space:]]\{1,\}\).*/\1/p'
}

# _hooktool_check_list CUR: the value of --only/--skip, a comma-separated list of check
# names; completes the last name, keeps the ones before it and does not offer them again.
_hooktool_check_list() {
  local cur=$1 pre='' name
  local -a names=()
  if [[ $cur == *,* ]]; then
    pre=${cur%,*},
    cur=${cur##*,}
  fi
  while IFS= read -r name; do
    [[ ,$pre == *",$name,"* ]] || names+=("$name")
  done < <(_hooktool_checks)
  _hooktool_reply -W "${names[*]}" -- "$cur"
  local k
  for k in "${!COMPREPLY[@]}"; do
    COMPREPLY[k]=$pre${COMPREPLY[k]}
  done
}

# Candidates for a file argument given as @FILE (--data, --body, --response-body).
# Readline keeps a leading "@" in the word it replaces (it is one of its "special
# prefixes"), so the candidates carry the "@", are quoted here, and directories get
# their "/" here (-o filenames would escape the "@").
_hooktool_at_files() {
  local cur=$1 f q real dirs=0
  local -a found=()
  COMPREPLY=()
  mapfile -t found < <(compgen -f -- "${cur#@}")
  for f in "${found[@]}"; do
    printf -v q %q "$f"
    [[ $f == '~'* ]] && q="~${q#\\~}" # keep a typed ~ unescaped
    real=$f
    # shellcheck disable=SC2088 # matching a literal ~
    [[ $real == '~/'* ]] && real=$HOME/${real#'~/'}
    if [[ -d $real ]]; then
      COMPREPLY+=("@$q/")
      dirs=1
    else
      COMPREPLY+=("@$q")
    fi
  done
  ((dirs)) && _hooktool_compopt -o nospace
}

# _hooktool_value OPTION CUR: complete the value of OPTION. Reads the caller's (_hooktool)
# sub, positionals and fixture_dirs for the values that depend on them.
_hooktool_value() {
  local opt=$1 cur=$2
  case $opt in
    --tamper) _hooktool_reply -W 'signature body timestamp' -- "$cur" ;;
    --keep-path) _hooktool_reply -W 'yes no' -- "$cur" ;;
    --generic-algo) _hooktool_reply -W 'sha1 sha256 sha512' -- "$cur" ;;
    --generic-encoding) _hooktool_reply -W 'hex base64' -- "$cur" ;;
    --generic-sign) _hooktool_reply -W 'body timestamp' -- "$cur" ;;
    --expect) _hooktool_reply -W '2xx 4xx 5xx' -- "$cur" ;;
    --provider) _hooktool_reply -W "$_hooktool_providers" -- "$cur" ;;
    --save | --capture | --secret-file | --tls-cert | --tls-key | -o | --output)
      _hooktool_compopt -o filenames
      _hooktool_reply -f -- "$cur"
      ;;
    --data | --body | --response-body)
      _hooktool_at_files "$cur"
      ;;
    --fixtures | --curl-dir)
      _hooktool_compopt -o filenames
      _hooktool_reply -d -- "$cur"
      ;;
    --only | --skip)
      [[ $sub == check ]] && _hooktool_check_list "$cur"
      ;;
    --event)
      # check: an event of the provider (as for send); replay: a glob, free text.
      if [[ $sub == check ]] && ((${#positionals[@]} > 0)); then
        _hooktool_reply -W "$(_hooktool_events "${positionals[0]}" "${fixture_dirs[@]}")" -- "$cur"
      fi
      ;;
    --secret)
      # provider=SECRET (or a bare secret): offer the provider= prefixes.
      if [[ $cur != *=* ]]; then
        _hooktool_reply -S = -W "$_hooktool_providers" -- "$cur"
        _hooktool_compopt -o nospace
      fi
      ;;
    *) COMPREPLY=() ;; # free text: URL, header, number, duration …
  esac
}

_hooktool() {
  local -a words
  local cword cur i w sub='' npos=0 skip=0 dashdash=0
  local -a positionals=() fixture_dirs=()
  COMPREPLY=()
  _hooktool_reassemble
  cur=${words[cword]}

  # Find the subcommand and the positionals before the cursor.
  for ((i = 1; i < cword; i++)); do
    w=${words[i]}
    if ((skip)); then
      skip=0
      [[ ${words[i - 1]} == --fixtures ]] && fixture_dirs+=("$w")
      continue
    fi
    if ((!dashdash)) && [[ $w == -?* ]]; then
      if [[ $w == -- ]]; then
        [[ -n $sub ]] && dashdash=1
        continue
      fi
      [[ $w == --fixtures=* ]] && fixture_dirs+=("${w#--fixtures=}")
      _hooktool_takes_value "$w" && skip=1
      continue
    fi
    if [[ -z $sub ]]; then
      sub=$w
    else
      positionals+=("$w")
    fi
  done
  npos=${#positionals[@]}

  # The value of an option: "--opt VALUE" or "--opt=VALUE".
  if ((skip)); then
    _hooktool_value "${words[cword - 1]}" "$cur"
    _hooktool_ltrim "$cur"
    return 0
  fi
  if ((!dashdash)) && [[ $cur == --*=* ]]; then
    local opt=${cur%%=*}
    _hooktool_value "$opt" "${cur#*=}"
    local k
    for k in "${!COMPREPLY[@]}"; do
      COMPREPLY[k]=$opt=${COMPREPLY[k]}
    done
    _hooktool_ltrim "$cur"
    return 0
  fi

  if ((!dashdash)) && [[ $cur == -* ]]; then
    _hooktool_reply -W "$(_hooktool_options "$sub")" -- "$cur"
    return 0
  fi

  case $sub in
    '')
      _hooktool_reply -W "$_hooktool_subcommands" -- "$cur"
      ;;
    send)
      if ((npos == 0)); then
        _hooktool_reply -W "$_hooktool_providers" -- "$cur"
      elif ((npos == 1)); then
        _hooktool_reply -W "$(_hooktool_events "${positionals[0]}" "${fixture_dirs[@]}")" -- "$cur"
        _hooktool_ltrim "$cur"
      fi
      ;;
    sign | verify | check | fixtures)
      if ((npos == 0)); then
        _hooktool_reply -W "$_hooktool_providers" -- "$cur"
      fi
      ;;
    replay | export)
      if ((npos == 0)); then
        _hooktool_compopt -o filenames
        _hooktool_reply -f -- "$cur"
      fi
      ;;
    config)
      ((npos == 0)) && _hooktool_reply -W 'show' -- "$cur"
      ;;
  esac
  return 0
}

complete -F _hooktool hooktool
