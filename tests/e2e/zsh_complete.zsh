#!/usr/bin/env zsh
# Usage: zsh drive.zsh COMPLETIONS_DIR 'command line to complete'
# Starts an interactive zsh on a pseudo-terminal, loads the completion from
# COMPLETIONS_DIR, types the line and a TAB, and prints each candidate zsh would offer,
# one per line. compadd is wrapped to report the matches instead of inserting them.
zmodload zsh/zpty || exit 3
zpty shell zsh -f -i || exit 3
zpty -w shell "PS1='' PROMPT='' RPROMPT=''; unsetopt zle_bracketed_paste 2>/dev/null"
zpty -w shell "fpath=(${(q)1} \$fpath); autoload -Uz compinit; compinit -u -D"
zpty -w shell 'compadd() { local -a __m; builtin compadd -O __m "$@"; local m; for m in $__m; do print -r -- "@@CAND:$m"; done; builtin compadd "$@"; }'
zpty -w shell '__done() { print -r -- "@@DONE"; }; comppostfuncs=(__done)'
zpty -w shell 'zstyle ":completion:*" list-prompt ""; zstyle ":completion:*" menu no; LISTMAX=100000'
zpty -w shell 'print -r -- @@READY'
local line
while zpty -r shell line; do [[ $line == *@@READY* && $line != *print* ]] && break; done
zpty -w -n shell "$2"$'\t'
while zpty -r shell line; do
  line=${${line%$'\n'}%$'\r'}
  [[ $line == *@@DONE* ]] && break
  [[ $line == *@@CAND:* ]] && print -r -- ${line##*@@CAND:}
done
zpty -d shell
