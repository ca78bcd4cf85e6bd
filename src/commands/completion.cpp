#include "commands/completion.hpp"

#include "providers/registry.hpp"

#include <CLI/CLI.hpp>
#include <array>
#include <iostream>
#include <map>
#include <vector>

namespace hooktool::commands {

namespace {

// What the value of an option or positional is, for the shell to offer.
enum class Value {
  none,      // a flag
  text,      // free text: nothing to offer
  file,      // a path
  directory, // a directory
  at_file,   // the text itself, - (stdin) or @FILE
  provider,  // a provider id
  secret,    // SECRET or provider=SECRET
  event,     // an event of the command's provider positional (from the binary's fixtures)
  scenario,  // a scenario of the command's provider positional (fixtures --scenarios)
  checks,    // check names (from `hooktool check --list`), comma-separated
  choices,   // one of a fixed list
};

// What CLI11 cannot say about a value: what kind of thing it is. Keyed by the option's long
// name or the positional's name; choices from an IsMember validator, or a type name of FILE or
// DIR, take precedence. An option missing here is completed as free text.
struct Hint {
  std::string_view name;
  Value value;
  std::string_view choices = {}; // space-separated, for Value::choices
};
constexpr std::array kHints{
    Hint{"--secret-file", Value::file},
    Hint{"--save", Value::file},
    Hint{"--capture", Value::file},
    Hint{"--tls-cert", Value::file},
    Hint{"--tls-key", Value::file},
    Hint{"--output", Value::file},
    Hint{"--fixtures", Value::directory},
    Hint{"--curl-dir", Value::directory},
    Hint{"--data", Value::at_file},
    Hint{"--body", Value::at_file},
    Hint{"--response-body", Value::at_file},
    Hint{"--provider", Value::provider},
    Hint{"--secret", Value::secret},
    Hint{"--event", Value::event},
    Hint{"--scenario", Value::scenario},
    Hint{"--only", Value::checks},
    Hint{"--skip", Value::checks},
    Hint{"--expect", Value::choices, "2xx 4xx 5xx"},
    Hint{"--generic-algo", Value::choices, "sha1 sha256 sha512"},
    Hint{"--generic-encoding", Value::choices, "hex base64"},
    Hint{"--generic-sign", Value::choices, "body timestamp"},
    Hint{"provider", Value::provider},
    Hint{"event", Value::event},
    Hint{"file", Value::file},
};

struct OptionSpec {
  std::vector<std::string> names; // "-H", "--header"
  std::string description;
  Value value = Value::none;
  std::vector<std::string> choices;
  bool repeatable = false;
  bool terminal = false; // --help, --version: nothing else follows
  std::vector<std::string> excludes;
};

struct PositionalSpec {
  std::string name;
  std::string description;
  Value value = Value::text;
  std::vector<std::string> choices;
  bool required = false;
};

struct CommandSpec {
  std::string name; // "" for the options before the subcommand
  std::string description;
  std::vector<OptionSpec> options;
  std::vector<PositionalSpec> positionals;
  int provider_index = -1; // the positional naming the provider, for event values
};

struct Spec {
  CommandSpec top;
  std::vector<CommandSpec> commands;
  std::vector<std::string> providers;
};

std::vector<std::string> split_words(std::string_view text, char sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto end = text.find(sep, start);
    const auto word = text.substr(start, end == std::string_view::npos ? text.npos : end - start);
    if (!word.empty())
      out.emplace_back(word);
    if (end == std::string_view::npos)
      break;
    start = end + 1;
  }
  return out;
}

std::string one_line(std::string text) {
  for (auto& c : text)
    if (c == '\n' || c == '\t')
      c = ' ';
  return text;
}

// The value kind from CLI11's type name ("TEXT:{a,b}" from IsMember, "FILE", "DIR"), else from
// kHints under key, else text.
Value classify(const std::string& type_name, std::string_view key,
               std::vector<std::string>& choices) {
  const auto open = type_name.find(":{");
  if (open != std::string::npos) {
    const auto close = type_name.find('}', open);
    choices = split_words(std::string_view(type_name).substr(open + 2, close - open - 2), ',');
    return Value::choices;
  }
  const auto base = type_name.substr(0, type_name.find(':'));
  if (base == "FILE")
    return Value::file;
  if (base == "DIR")
    return Value::directory;
  for (const auto& h : kHints) {
    if (h.name == key) {
      choices = split_words(h.choices, ' ');
      return h.value;
    }
  }
  return Value::text;
}

CommandSpec describe_command(const CLI::App& app, const std::string& name) {
  CommandSpec c;
  c.name = name;
  c.description = one_line(app.get_description());
  const auto* help = app.get_help_ptr();
  for (const auto* opt : app.get_options()) {
    const auto type = opt->get_type_name();
    if (opt->get_positional()) {
      PositionalSpec p;
      p.name = opt->get_name();
      p.description = one_line(opt->get_description());
      p.required = opt->get_required();
      p.value = classify(type, p.name, p.choices);
      if (p.value == Value::provider && c.provider_index < 0)
        c.provider_index = static_cast<int>(c.positionals.size());
      c.positionals.push_back(std::move(p));
      continue;
    }
    if (opt->get_group().empty())
      continue; // hidden
    OptionSpec o;
    for (const auto& s : opt->get_snames())
      o.names.push_back("-" + s);
    for (const auto& l : opt->get_lnames())
      o.names.push_back("--" + l);
    if (o.names.empty())
      continue;
    o.description = one_line(opt->get_description());
    o.repeatable = opt->get_items_expected_max() > 1;
    o.terminal = opt == help || o.names.back() == "--version";
    if (opt->get_items_expected_max() > 0) {
      const auto key = opt->get_lnames().empty() ? o.names.front() : "--" + opt->get_lnames()[0];
      o.value = classify(type, key, o.choices);
    }
    for (const auto* ex : opt->get_excludes())
      for (const auto& l : ex->get_lnames())
        o.excludes.push_back("--" + l);
    c.options.push_back(std::move(o));
  }
  return c;
}

Spec describe(const CLI::App& app) {
  Spec s;
  s.top = describe_command(app, "");
  for (const auto* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    if (sub->get_group().empty())
      continue; // hidden
    s.commands.push_back(describe_command(*sub, sub->get_name()));
  }
  // An event value needs a provider to list the events of; without one it is free text (e.g.
  // replay --event, a glob over captured event types).
  for (auto& c : s.commands) {
    for (auto& o : c.options)
      if ((o.value == Value::event || o.value == Value::scenario) && c.provider_index < 0)
        o.value = Value::text;
    for (auto& p : c.positionals)
      if (p.value == Value::event && c.provider_index < 0)
        p.value = Value::text;
  }
  for (const auto id : providers::provider_ids())
    s.providers.emplace_back(id);
  return s;
}

std::string join(const std::vector<std::string>& words, std::string_view sep = " ") {
  std::string out;
  for (const auto& w : words)
    out += (out.empty() ? "" : std::string(sep)) + w;
  return out;
}

// 'text' for bash and zsh.
std::string sq(std::string_view text) {
  std::string out = "'";
  for (const char c : text)
    out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// 'text' for fish, where \ and ' are escaped inside single quotes.
std::string fish_sq(std::string_view text) {
  std::string out = "'";
  for (const char c : text) {
    if (c == '\\' || c == '\'')
      out += '\\';
    out += c;
  }
  return out + "'";
}

// Function-name-safe form of a subcommand name.
std::string ident(std::string_view name) {
  std::string out(name);
  for (auto& c : out)
    if ((c < 'a' || c > 'z') && (c < 'A' || c > 'Z') && (c < '0' || c > '9'))
      c = '_';
  return out;
}

// Appends a pattern to the group that shares action, keeping first-seen order.
void add_case(std::vector<std::pair<std::string, std::vector<std::string>>>& groups,
              const std::string& action, const std::string& pattern) {
  for (auto& [a, patterns] : groups) {
    if (a == action) {
      patterns.push_back(pattern);
      return;
    }
  }
  groups.push_back({action, {pattern}});
}

// ---------------------------------------------------------------------------------------
// bash

constexpr std::string_view kBashHead =
    R"sh(# bash completion for hooktool                              -*- shell-script -*-
#
# Generated by `hooktool completion bash` from the command-line definitions and the provider
# registry; do not edit. Installed by `cmake --install` into bash-completion's completions
# directory; or, from ~/.bashrc:  eval "$(hooktool completion bash)"
#
# Self-contained: it does not need the bash-completion package's helpers.
# Event names for `hooktool send PROVIDER <TAB>` (and `hooktool check PROVIDER
# --event <TAB>`) come from `hooktool fixtures PROVIDER --json` at completion time, so
# user fixtures (--fixtures DIR on the command line) are offered too. Check names for
# `hooktool check --only/--skip <TAB>` come from `hooktool check --list`.
)sh";

constexpr std::string_view kBashEngine = R"sh(
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

# _hooktool_events PROVIDER [DIR...]: event names from `hooktool fixtures PROVIDER --json`
# that start with $_hooktool_cur (all when unset; read from the environment, as awk -v would
# expand backslashes in it); with _hooktool_kind=scenario, scenario names
# from `... --scenarios --json`. One awk reads and filters them: compgen -W over a catalogue of
# several hundred names took longer than the listing itself.
_hooktool_events() {
  local provider=$1 bin dir kind=${_hooktool_kind:-event}
  shift
  local -a extra=()
  [[ $kind == scenario ]] && extra+=(--scenarios)
  for dir in "$@"; do
    dir=$(_hooktool_expand_tilde "$dir")
    [[ -d $dir ]] && extra+=(--fixtures "$dir")
  done
  bin=$(_hooktool_bin)
  command "$bin" fixtures "$provider" --json "${extra[@]}" </dev/null 2>/dev/null |
    HOOKTOOL_CUR=${_hooktool_cur-} awk -v key="\"$kind\":\"" '{ i = index($0, key); if (!i) next
      v = substr($0, i + length(key)); v = substr(v, 1, index(v, "\"") - 1)
      if (index(v, ENVIRON["HOOKTOOL_CUR"]) == 1) print v }'
}

# _hooktool_event_reply INDEX CUR [KIND]: the events (or, KIND scenario, the scenarios) of
# the provider named by positional INDEX.
_hooktool_event_reply() {
  ((${#positionals[@]} > $1)) || return 0
  local _hooktool_kind=${3:-event} _hooktool_cur=$2
  mapfile -t COMPREPLY < <(_hooktool_events "${positionals[$1]}" "${fixture_dirs[@]}")
}

# _hooktool_checks: the check names, the first column of `hooktool check --list`.
_hooktool_checks() {
  local bin
  bin=$(_hooktool_bin)
  command "$bin" check --list </dev/null 2>/dev/null | sed -n 's/^\([^[:space:]]\{1,\}\).*/\1/p'
}

# _hooktool_check_list CUR: a comma-separated list of check names; completes the last
# name, keeps the ones before it and does not offer them again.
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

_hooktool_files() {
  _hooktool_compopt -o filenames
  _hooktool_reply -f -- "$1"
}

_hooktool_dirs() {
  _hooktool_compopt -o filenames
  _hooktool_reply -d -- "$1"
}

# _hooktool_secret CUR: provider=SECRET (or a bare secret): offer the provider= prefixes.
_hooktool_secret() {
  if [[ $1 != *=* ]]; then
    _hooktool_reply -S = -W "$_hooktool_providers" -- "$1"
    _hooktool_compopt -o nospace
  fi
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
      _hooktool_takes_value "$sub" "$w" && skip=1
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
    _hooktool_value "$sub" "${words[cword - 1]}" "$cur"
    _hooktool_ltrim "$cur"
    return 0
  fi
  if ((!dashdash)) && [[ $cur == --*=* ]]; then
    local opt=${cur%%=*}
    _hooktool_value "$sub" "$opt" "${cur#*=}"
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

  if [[ -z $sub ]]; then
    _hooktool_reply -W "$_hooktool_subcommands" -- "$cur"
  else
    _hooktool_positional "$sub" "$npos" "$cur"
    _hooktool_ltrim "$cur"
  fi
  return 0
}

complete -F _hooktool hooktool
)sh";

// The bash command that completes a value of this kind from "$cur" (or "$3" in
// _hooktool_value).
std::string bash_action(Value v, const std::vector<std::string>& choices, int provider_index,
                        const std::string& cur) {
  switch (v) {
  case Value::none:
  case Value::text:
    return "";
  case Value::file:
    return "_hooktool_files \"" + cur + "\"";
  case Value::directory:
    return "_hooktool_dirs \"" + cur + "\"";
  case Value::at_file:
    return "_hooktool_at_files \"" + cur + "\"";
  case Value::provider:
    return "_hooktool_reply -W \"$_hooktool_providers\" -- \"" + cur + "\"";
  case Value::secret:
    return "_hooktool_secret \"" + cur + "\"";
  case Value::event:
    return "_hooktool_event_reply " + std::to_string(provider_index) + " \"" + cur + "\"";
  case Value::scenario:
    return "_hooktool_event_reply " + std::to_string(provider_index) + " \"" + cur + "\" scenario";
  case Value::checks:
    return "_hooktool_check_list \"" + cur + "\"";
  case Value::choices:
    return "_hooktool_reply -W " + sq(join(choices)) + " -- \"" + cur + "\"";
  }
  return "";
}

void emit_case(std::string& out,
               const std::vector<std::pair<std::string, std::vector<std::string>>>& groups) {
  for (const auto& [action, patterns] : groups)
    out += "    " + join(patterns, " | ") + ") " + action + " ;;\n";
}

std::string render_bash(const Spec& s) {
  std::vector<std::string> subs;
  for (const auto& c : s.commands)
    subs.push_back(c.name);
  std::string out(kBashHead);
  out += "\n_hooktool_providers=" + sq(join(s.providers)) + "\n";
  out += "_hooktool_subcommands=" + sq(join(subs)) + "\n";

  out += "\n# _hooktool_options SUBCOMMAND: the options SUBCOMMAND accepts (\"\": before it).\n"
         "_hooktool_options() {\n  case $1 in\n";
  const auto names_of = [](const CommandSpec& c, bool with_value) {
    std::vector<std::string> names;
    for (const auto& o : c.options)
      if (!with_value || o.value != Value::none)
        names.insert(names.end(), o.names.begin(), o.names.end());
    return names;
  };
  for (const auto& c : s.commands)
    out += "    " + c.name + ") echo " + sq(join(names_of(c, false))) + " ;;\n";
  out += "    *) echo " + sq(join(names_of(s.top, false))) + " ;;\n  esac\n}\n";

  out +=
      "\n# _hooktool_takes_value SUBCOMMAND WORD: true when WORD is an option whose value is the\n"
      "# next word.\n"
      "_hooktool_takes_value() {\n"
      "  case $2 in\n"
      "    --) return 1 ;;\n"
      "    --*=*) return 1 ;; # --opt=value\n"
      "    --*) ;;\n"
      "    -[a-zA-Z]?*) return 1 ;; # -p9000, -kq: value (or flags) attached\n"
      "    -?) ;;\n"
      "    *) return 1 ;;\n"
      "  esac\n"
      "  local with_value\n"
      "  case $1 in\n";
  for (const auto& c : s.commands)
    out += "    " + c.name + ") with_value=" + sq(" " + join(names_of(c, true)) + " ") + " ;;\n";
  out += "    *) with_value=" + sq(" " + join(names_of(s.top, true)) + " ") + " ;;\n";
  out += "  esac\n  [[ $with_value == *\" $2 \"* ]]\n}\n";

  std::vector<std::pair<std::string, std::vector<std::string>>> values;
  std::vector<std::pair<std::string, std::vector<std::string>>> positionals;
  for (const auto* c : [&] {
         std::vector<const CommandSpec*> all{&s.top};
         for (const auto& cmd : s.commands)
           all.push_back(&cmd);
         return all;
       }()) {
    for (const auto& o : c->options) {
      const auto action = bash_action(o.value, o.choices, c->provider_index, "$3");
      if (action.empty())
        continue;
      for (const auto& n : o.names)
        add_case(values, action, c->name + ":" + n);
    }
    for (std::size_t i = 0; i < c->positionals.size(); ++i) {
      const auto& p = c->positionals[i];
      const auto action = bash_action(p.value, p.choices, c->provider_index, "$3");
      if (!action.empty() && !c->name.empty())
        add_case(positionals, action, c->name + ":" + std::to_string(i));
    }
  }
  out += "\n# _hooktool_value SUBCOMMAND OPTION CUR: complete the value of OPTION. Reads the "
         "caller's\n"
         "# (_hooktool) positionals and fixture_dirs for the values that depend on them.\n"
         "_hooktool_value() {\n  case $1:$2 in\n";
  emit_case(out, values);
  out += "    *) COMPREPLY=() ;; # free text: URL, header, number, duration …\n  esac\n}\n";
  out += "\n# _hooktool_positional SUBCOMMAND N CUR: complete SUBCOMMAND's positional N (from 0).\n"
         "_hooktool_positional() {\n  case $1:$2 in\n";
  emit_case(out, positionals);
  out += "    *) COMPREPLY=() ;;\n  esac\n}\n";
  out += kBashEngine;
  return out;
}

// ---------------------------------------------------------------------------------------
// zsh

constexpr std::string_view kZshHead = R"sh(#compdef hooktool
# zsh completion for hooktool.
#
# Generated by `hooktool completion zsh` from the command-line definitions and the provider
# registry; do not edit. `cmake --install` puts this file in zsh's vendor-completions
# directory; otherwise write it (named _hooktool) into a directory on $fpath before compinit
# runs, or, after compinit:  eval "$(hooktool completion zsh)"
#
# Event names for `hooktool send PROVIDER <TAB>` (and `hooktool check PROVIDER
# --event <TAB>`) come from `hooktool fixtures PROVIDER --json` at completion time, so
# user fixtures (--fixtures DIR on the command line) are offered too. Check names for
# `hooktool check --only/--skip <TAB>` come from `hooktool check --list`.
)sh";

constexpr std::string_view kZshEngine = R"sh(
# The hooktool to run for dynamic candidates (into $REPLY): the command as typed
# (e.g. ./build/hooktool) when it is a path to an executable, else hooktool on PATH.
_hooktool_program() {
  REPLY=${(Q)_hooktool_bin:-hooktool}
  [[ $REPLY == '~/'* ]] && REPLY=$HOME${REPLY#\~}
  [[ $REPLY == */* && -x $REPLY ]] || REPLY=hooktool
}

# _hooktool_events PROVIDER [DIR...]: PROVIDER's events, from
# `hooktool fixtures PROVIDER --json` (built-in fixtures plus those in each DIR); with
# _hooktool_kind=scenario, its scenarios (`fixtures PROVIDER --scenarios --json`).
_hooktool_events() {
  local provider=$1 dir bin out expl REPLY kind=${_hooktool_kind:-event}
  local -a extra events
  shift
  if [[ -z $provider ]]; then
    _message "$kind (name the provider first)"
    return 1
  fi
  [[ $kind == scenario ]] && extra+=(--scenarios)
  for dir in "$@"; do
    dir=${(Q)dir}
    [[ $dir == '~' || $dir == '~/'* ]] && dir=$HOME${dir#\~}
    [[ -n $dir && -d $dir ]] && extra+=(--fixtures "$dir")
  done
  _hooktool_program
  bin=$REPLY
  out=$(_call_program events ${(q)bin} fixtures ${(q)provider} --json ${(q)extra} 2>/dev/null </dev/null |
    sed -n "s/.*\"$kind\"[[:space:]]*:[[:space:]]*\"\\([^\"]*\\)\".*/\\1/p")
  events=(${(f)out})
  _wanted ${kind}s expl $kind compadd -a events
}

# The value of check's --only and --skip: check names from `hooktool check --list`
# (name, then its description), comma-separated.
_hooktool_checks() {
  local out line name desc REPLY
  local -a checks
  _hooktool_program
  out=$(_call_program checks ${(q)REPLY} check --list 2>/dev/null </dev/null)
  for line in ${(f)out}; do
    read -r name desc <<<$line
    [[ -n $name ]] || continue
    checks+=("${name}[${${desc//\\/\\\\}//\]/\\]}]")
  done
  (( $#checks )) || return 1
  _values -s , 'check' $checks
}

# The value of --data, --body and --response-body: text, - (stdin) or @FILE.
_hooktool_at_file() {
  local expl
  if compset -P '@'; then
    _files
  else
    _wanted files expl 'file, as @FILE (or the text itself, or - for stdin)' compadd -S '' -- @
  fi
}

# The value of --secret: SECRET or provider=SECRET.
_hooktool_secret() {
  local expl
  local -a reply
  if compset -P '*='; then
    _message 'secret'
  else
    _hooktool_provider_ids
    _wanted providers expl 'provider=SECRET (or a bare secret)' compadd -S '=' -a reply
  fi
}

_hooktool_providers() {
  local -a reply
  _hooktool_provider_ids
  _describe -t providers 'provider' reply
}
)sh";

// Escapes text for an _arguments description ([...]) or message (:...:).
std::string zsh_text(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (c == '\\' || c == '[' || c == ']' || c == ':')
      out += '\\';
    out += c;
  }
  return out;
}

std::string zsh_action(Value v, const std::vector<std::string>& choices) {
  switch (v) {
  case Value::none:
  case Value::text:
    return " ";
  case Value::file:
    return "_files";
  case Value::directory:
    return "_files -/";
  case Value::at_file:
    return "_hooktool_at_file";
  case Value::provider:
    return "_hooktool_providers";
  case Value::secret:
    return "_hooktool_secret";
  case Value::event:
    return "->event";
  case Value::scenario:
    return "->scenario";
  case Value::checks:
    return "->checks";
  case Value::choices: {
    std::string list;
    for (const auto& c : choices)
      list += (list.empty() ? "" : " ") + zsh_text(c);
    return "(" + list + ")";
  }
  }
  return " ";
}

std::string zsh_message(const OptionSpec& o) {
  switch (o.value) {
  case Value::file:
    return "file";
  case Value::directory:
    return "directory";
  case Value::provider:
    return "provider";
  case Value::event:
    return "event";
  case Value::scenario:
    return "scenario";
  case Value::checks:
    return "check";
  default:
    break;
  }
  auto name = o.names.back();
  name.erase(0, name.find_first_not_of('-'));
  return name;
}

// The _arguments specs of a command, one per line, each quoted.
std::string zsh_specs(const CommandSpec& c) {
  std::string out;
  for (const auto& o : c.options) {
    std::string prefix;
    if (o.terminal) {
      prefix = "(- : *)";
    } else {
      std::vector<std::string> excl;
      if (!o.repeatable && o.names.size() > 1)
        excl = o.names;
      excl.insert(excl.end(), o.excludes.begin(), o.excludes.end());
      if (!excl.empty())
        prefix = "(" + join(excl) + ")";
      if (o.repeatable)
        prefix += "*";
    }
    for (const auto& n : o.names) {
      std::string spec = prefix + n + "[" + zsh_text(o.description) + "]";
      if (o.value != Value::none)
        spec += ":" + zsh_text(zsh_message(o)) + ":" + zsh_action(o.value, o.choices);
      out += "    " + sq(spec) + " \\\n";
    }
  }
  for (std::size_t i = 0; i < c.positionals.size(); ++i) {
    const auto& p = c.positionals[i];
    const std::string spec = std::to_string(i + 1) + (p.required ? ":" : "::") + zsh_text(p.name) +
                             ":" + zsh_action(p.value, p.choices);
    out += "    " + sq(spec) + " \\\n";
  }
  return out;
}

std::string render_zsh(const Spec& s) {
  std::string out(kZshHead);
  out += "\n_hooktool_subcommands() {\n  local -a subcommands\n  subcommands=(\n";
  for (const auto& c : s.commands)
    out += "    " + sq(c.name + ":" + c.description) + "\n";
  out += "  )\n  _describe -t commands 'hooktool subcommand' subcommands\n}\n";
  out += "\n# The provider ids (into $reply), from the registry.\n"
         "_hooktool_provider_ids() {\n  reply=(" +
         join(s.providers) + ")\n}\n";
  out += kZshEngine;
  for (const auto& c : s.commands) {
    out += "\n_hooktool_" + ident(c.name) +
           "() {\n"
           "  local curcontext=$curcontext state state_descr line ret=1\n"
           "  typeset -A opt_args\n"
           "  _arguments -C -s -S \\\n" +
           zsh_specs(c) + "    && ret=0\n";
    out += "  case $state in\n";
    if (c.provider_index >= 0) {
      const auto line = "\"${(Q)line[" + std::to_string(c.provider_index + 1) +
                        "]}\" ${(s.:.)opt_args[--fixtures]} && ret=0 ;;\n";
      out += "    event) _hooktool_events " + line;
      out += "    scenario) _hooktool_kind=scenario _hooktool_events " + line;
    }
    out += "    checks) _hooktool_checks && ret=0 ;;\n  esac\n  return ret\n}\n";
  }
  out += "\n_hooktool() {\n"
         "  local curcontext=$curcontext state state_descr line ret=1\n"
         "  typeset -A opt_args\n"
         "  # The command as typed (e.g. ./build/hooktool); _hooktool_events runs it.\n"
         "  local _hooktool_bin=$words[1]\n\n"
         "  _arguments -C \\\n" +
         zsh_specs(s.top) +
         "    '1:subcommand:_hooktool_subcommands' \\\n"
         "    '*::argument:->subcommand' && ret=0\n\n"
         "  if [[ $state == subcommand ]]; then\n"
         "    curcontext=${curcontext%:*:*}:hooktool-$words[1]:\n"
         "    case $words[1] in\n";
  for (const auto& c : s.commands)
    out += "      " + c.name + ") _hooktool_" + ident(c.name) + " && ret=0 ;;\n";
  out += "      *) _message 'no completion for an unknown subcommand' ;;\n"
         "    esac\n  fi\n  return ret\n}\n\n"
         "# Autoloaded from $fpath: complete now. Sourced directly: register the function.\n"
         "if [[ $funcstack[1] == _hooktool ]]; then\n  _hooktool \"$@\"\nelse\n"
         "  compdef _hooktool hooktool\nfi\n";
  return out;
}

// ---------------------------------------------------------------------------------------
// fish

constexpr std::string_view kFishHead = R"sh(# fish completion for hooktool
#
# Generated by `hooktool completion fish` from the command-line definitions and the provider
# registry; do not edit. `cmake --install` puts this file in fish's vendor_completions.d;
# otherwise:  hooktool completion fish > ~/.config/fish/completions/hooktool.fish
#
# Event names for `hooktool send PROVIDER <TAB>` (and `hooktool check PROVIDER
# --event <TAB>`) come from `hooktool fixtures PROVIDER --json` at completion time, so
# user fixtures (--fixtures DIR on the command line) are offered too. Check names for
# `hooktool check --only/--skip <TAB>` come from `hooktool check --list`.
)sh";

constexpr std::string_view kFishEngine = R"sh(
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
            __hooktool_takes_value $sub $t; and set pending 1
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

function __hooktool_want_positional -a sub n -d 'True when completing positional N of SUB'
    set -l st (__hooktool_state)
    test "$st[1]" = $sub; and test $st[2] -eq $n; and test $st[3] -eq 0
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

# The events of the provider named by positional INDEX (from 0), from
# `hooktool fixtures PROVIDER --json` (with any --fixtures DIR already on the command line);
# with KIND scenario, its scenarios (`fixtures PROVIDER --scenarios --json`).
function __hooktool_events -a index kind
    test -n "$kind"; or set kind event
    set -l st (__hooktool_state)
    set -l at (math 4 + $index)
    set -q st[$at]; or return
    set -l provider $st[$at]
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
    test $kind = scenario; and set -a extra --scenarios
    command $bin fixtures $provider --json $extra </dev/null 2>/dev/null |
        string match -r -- '"'$kind'"\s*:\s*"[^"]*"' |
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
    printf '%s=\n' $__hooktool_providers
end

complete -c hooktool -f
)sh";

// The `complete` arguments that say how a value is completed.
std::string fish_value(Value v, const std::vector<std::string>& choices, int provider_index,
                       bool positional, const std::string& providers) {
  const std::string needs = positional ? "" : "-x ";
  switch (v) {
  case Value::none:
    return "";
  case Value::text:
    return positional ? "" : "-x";
  case Value::file:
    return positional ? "-F" : "-r -F";
  case Value::directory:
    return needs + "-a '(__hooktool_dirs)'";
  case Value::at_file:
    return needs + "-a '(__hooktool_at_files)'";
  case Value::provider:
    return needs + "-a " + fish_sq(providers);
  case Value::secret:
    return needs + "-a '(__hooktool_secret_prefixes)'";
  case Value::event:
    return needs + "-a '(__hooktool_events " + std::to_string(provider_index) + ")'";
  case Value::scenario:
    return needs + "-a '(__hooktool_events " + std::to_string(provider_index) + " scenario)'";
  case Value::checks:
    return needs + "-a '(__hooktool_checks)'";
  case Value::choices:
    return needs + "-a " + fish_sq(join(choices));
  }
  return "";
}

std::string fish_option(const std::string& condition, const OptionSpec& o, int provider_index,
                        const std::string& providers) {
  std::string line = "complete -c hooktool -n " + condition;
  for (const auto& n : o.names)
    line += (n.starts_with("--") ? " -l " + n.substr(2) : " -s " + n.substr(1));
  const auto value = fish_value(o.value, o.choices, provider_index, false, providers);
  if (!value.empty())
    line += " " + value;
  return line + " -d " + fish_sq(o.description) + "\n";
}

std::string render_fish(const Spec& s) {
  const auto providers = join(s.providers);
  std::string out(kFishHead);
  out += "\n# The provider ids, from the registry.\nset -g __hooktool_providers " +
         join(s.providers) + "\n";
  out += "\n# __hooktool_takes_value SUBCOMMAND WORD: true when WORD is an option whose value is "
         "the\n# next word (-p9000, --port=9000: attached).\n"
         "function __hooktool_takes_value -a sub word\n"
         "    string match -q -- '--*=*' $word; and return 1\n"
         "    switch \"$sub $word\"\n";
  const auto with_value = [](const CommandSpec& c, const std::string& sub) {
    std::vector<std::string> patterns;
    for (const auto& o : c.options)
      if (o.value != Value::none)
        for (const auto& n : o.names)
          patterns.push_back(fish_sq(sub + " " + n));
    return patterns;
  };
  auto all = with_value(s.top, "-");
  for (const auto& c : s.commands) {
    const auto more = with_value(c, c.name);
    all.insert(all.end(), more.begin(), more.end());
  }
  if (!all.empty())
    out += "        case " + join(all) + "\n            return 0\n";
  out += "    end\n    return 1\nend\n";
  out += kFishEngine;

  out += "\n# Before the subcommand\n";
  for (const auto& c : s.commands)
    out += "complete -c hooktool -n __hooktool_want_subcommand -a " + c.name + " -d " +
           fish_sq(c.description) + "\n";
  for (const auto& o : s.top.options)
    out += fish_option("__hooktool_want_subcommand", o, -1, providers);
  for (const auto& c : s.commands) {
    out += "\n# " + c.name + "\n";
    for (std::size_t i = 0; i < c.positionals.size(); ++i) {
      const auto& p = c.positionals[i];
      const auto value = fish_value(p.value, p.choices, c.provider_index, true, providers);
      if (value.empty())
        continue;
      out += "complete -c hooktool -n " +
             fish_sq("__hooktool_want_positional " + c.name + " " + std::to_string(i)) + " " +
             value + " -d " + fish_sq(p.description) + "\n";
    }
    for (const auto& o : c.options)
      out += fish_option(fish_sq("__hooktool_using " + c.name), o, c.provider_index, providers);
  }
  return out;
}

} // namespace

std::optional<Shell> parse_shell(std::string_view name) noexcept {
  if (name == "bash")
    return Shell::bash;
  if (name == "zsh")
    return Shell::zsh;
  if (name == "fish")
    return Shell::fish;
  return std::nullopt;
}

std::string render_completion(const CLI::App& app, Shell shell) {
  const auto spec = describe(app);
  switch (shell) {
  case Shell::bash:
    return render_bash(spec);
  case Shell::zsh:
    return render_zsh(spec);
  case Shell::fish:
    return render_fish(spec);
  }
  return {};
}

CLI::App* register_completion(CLI::App& app, CompletionOptions& o) {
  auto* cmd = app.add_subcommand("completion", "Print the shell completion script for hooktool");
  cmd->add_option("shell", o.shell, "bash, zsh or fish")
      ->required()
      ->check(CLI::IsMember({"bash", "zsh", "fish"}));
  cmd->footer("Examples:\n"
              "  eval \"$(hooktool completion bash)\"      # in ~/.bashrc\n"
              "  eval \"$(hooktool completion zsh)\"       # in ~/.zshrc, after compinit\n"
              "  hooktool completion fish > ~/.config/fish/completions/hooktool.fish");
  return cmd;
}

int run_completion(const CLI::App& app, const CompletionOptions& o) {
  std::cout << render_completion(app, parse_shell(o.shell).value_or(Shell::bash));
  return 0;
}

} // namespace hooktool::commands
