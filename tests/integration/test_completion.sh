#!/usr/bin/env bash
# Bash completion for netpulse (conf/netpulse.bash-completion), sourced into this bash:
#  1. completions for typical inputs, compared with the exact expected words;
#  2. the completion knows every command and option the CLI documents (`netpulse --help`,
#     `netpulse COMMAND --help`) and offers none it does not, so a new option without a
#     completion fails here;
#  3. `cmake --install` puts it where bash-completion looks, under the name netpulse.
source "$(dirname "$0")/lib.sh"
SRC=${NP_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
FILE=$SRC/conf/netpulse.bash-completion
[ -f "$FILE" ] || fail "no completion file $FILE"
[ -x "$NETPULSE" ] || fail "$NETPULSE not built"

set +eu # the completion runs as in an interactive shell
# shellcheck source=/dev/null
source "$FILE"
complete -p netpulse | grep -q -- '-F _netpulse' || fail "no completion registered for netpulse"

# comp WORD... : COMPREPLY for the command line WORD... with the cursor in the last word,
# sorted, one line.
comp() {
	COMP_WORDS=("$@")
	COMP_CWORD=$(($# - 1))
	COMP_LINE="$*"
	COMP_POINT=${#COMP_LINE}
	COMPREPLY=()
	_netpulse netpulse "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
	printf '%s\n' "${COMPREPLY[@]}" | sort | paste -sd' '
}
is() { # is "EXPECTED" WORD...
	local want=$1 got
	shift
	got=$(comp "$@")
	[ "$got" = "$want" ] || fail "completing '$*': got '$got', want '$want'"
}

# ---- 1. typical inputs ----
is "alerts db downtime egress events export health help status top usage" netpulse ""
is "status" netpulse st
is "downtime" netpulse --format csv do
is "json" netpulse --format j
is "day hour month week" netpulse usage --per ""
is "this-month this-week this-year" netpulse downtime --period this-
is "last-month last-week last-year" netpulse events --since last-
is "--since --state" netpulse -c /x.yaml events --s
is "--explain" netpulse status --ex
is "check dump vacuum" netpulse db ""
is "cato-hourly cato-summary" netpulse export c
is "down" netpulse events --state do
is "dst" netpulse top --direction d
is "bytes" netpulse usage --units by
is "rx_bytes,peak_rx_rate rx_bytes,peak_tx_rate" netpulse usage --columns rx_bytes,peak
if [ -f /usr/share/zoneinfo/Europe/Berlin ]; then
	is "Europe/Berlin" netpulse --tz Europe/Berl
else
	fail "no tzdata (/usr/share/zoneinfo/Europe/Berlin): install tzdata"
fi
d=$T/comp && mkdir "$d" && touch "$d/netpulse.yaml"
is "$d/netpulse.yaml" netpulse -c "$d/netp"
pass "completions for commands, options, formats, --per, periods, db, export, zones, files"

# ---- 2. the completion and the CLI's help agree ----
words() { tr ' ' '\n' | grep -v '^$' | sort -u; }
help_cmds=$("$NETPULSE" --help | sed -n '/^commands:/,/^$/p' | awk 'NF && !/:$/ {print $1}' | words)
comp_cmds=$(comp netpulse "" | words | grep -vx help)
[ -n "$help_cmds" ] || fail "no commands in netpulse --help"
[ "$help_cmds" = "$comp_cmds" ] ||
	fail "commands: --help has [$(echo $help_cmds)], completion [$(echo $comp_cmds)]"
# Options: the long and short forms the option lines of a help text start with.
opts_of() { grep -oE '^ +(-[a-zA-Z], )?--[a-z][a-z-]*' | grep -oE -- '--?[a-zA-Z][a-z-]*' | words; }
globals=$("$NETPULSE" --help | sed -n '/^global options/,/^$/p' | opts_of)
[ -n "$globals" ] || fail "no global options in netpulse --help"
n=0
for c in $help_cmds; do
	own=$("$NETPULSE" "$c" --help | opts_of)
	want=$(printf '%s\n%s\n' "$own" "$globals" | words)
	got=$(comp netpulse "$c" - | words)
	[ "$got" = "$want" ] ||
		fail "options of '$c': the CLI documents [$(echo $want)], the completion offers [$(echo $got)]"
	n=$((n + $(echo "$own" | grep -c -- -)))
done
pass "completion offers exactly the documented commands ($(echo $help_cmds | wc -w)), global options ($(echo "$globals" | wc -l)) and command options ($n)"

# ---- 3. installed where bash-completion looks ----
require_cmd cmake
[ -f "${NP_BUILD:-build}/cmake_install.cmake" ] || fail "no cmake_install.cmake in ${NP_BUILD:-build}"
# DESTDIR: nothing lands outside $T, absolute destinations (/etc/netpulse) included.
DESTDIR=$T/inst cmake --install "${NP_BUILD:-build}" --prefix /usr >"$T/install.log" 2>&1 ||
	fail "cmake --install: $(tail -3 "$T/install.log")"
cmp "$FILE" "$T/inst/usr/share/bash-completion/completions/netpulse" ||
	fail "not installed as share/bash-completion/completions/netpulse"
pass "installed as share/bash-completion/completions/netpulse"
