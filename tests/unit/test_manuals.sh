#!/bin/sh
# test_manuals.sh: the manual pages against the programs they describe.
#
# scrapeq.conf(5) must document every key of src/core/config.c's table, in its section,
# with its default, and no key the table lacks; scrapeqctl(8) must have an ".It Cm" item
# for every command of scrapeqctl's table and mention each of its --options, and no
# command the table lacks. The keys and commands come from the built scrapeqctl
# (check-config --keys, --help), so a key or command added to the C tables fails here
# until its manual says what it is.
#
# Run by make check (srcdir is set by automake), or by hand from the build directory:
#   srcdir=. tests/unit/test_manuals.sh
# MAN_CONF, MAN_CTL and SCRAPEQCTL point it at other files (used to show it can fail).

srcdir=${srcdir:-.}
ctl=${SCRAPEQCTL:-./scrapeqctl}
conf5=${MAN_CONF:-$srcdir/man/scrapeq.conf.5}
ctl8=${MAN_CTL:-$srcdir/man/scrapeqctl.8}
fail=0
rows=0

for f in "$conf5" "$ctl8"; do
	[ -r "$f" ] || { echo "FAIL: cannot read $f"; exit 99; }
done
[ -x "$ctl" ] || { echo "FAIL: $ctl is not built"; exit 99; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/test_manuals.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT

# --- scrapeq.conf(5) -------------------------------------------------------------------
"$ctl" check-config --keys > "$tmp/keys" || { echo "FAIL: scrapeqctl check-config --keys"; exit 99; }
[ -s "$tmp/keys" ] || { echo "FAIL: scrapeqctl check-config --keys printed nothing"; exit 99; }

# "section key" for each ".It Ic key" under a ".Ss ... [section] ..." heading, and
# "section key nodefault" when its item never says what its default is.
awk '
	function flush() {
		if (key != "" && !said) print sec, key, "nodefault"
		key = ""
	}
	/^\.Ss / { flush(); sec = ""; if (match($0, /\[[a-z_]+\]/)) sec = substr($0, RSTART + 1, RLENGTH - 2); next }
	/^\.Sh / { flush(); sec = ""; next }
	/^\.It Ic / { flush(); if (sec != "") { key = $3; said = 0; print sec, key }; next }
	/^\.(It|El)/ { flush(); next }
	key != "" && /[Dd]efault/ { said = 1 }
	END { flush() }
' "$conf5" > "$tmp/page"

while read -r sec key; do
	rows=$((rows + 1))
	if ! grep -qx "$sec $key" "$tmp/page"; then
		echo "FAIL: [$sec] $key is in config.c's key table but not in $conf5"
		fail=1
	fi
done < "$tmp/keys"
grep -v ' nodefault$' "$tmp/page" | while read -r sec key; do
	grep -qx "$sec $key" "$tmp/keys" ||
		echo "FAIL: $conf5 documents [$sec] $key, which config.c's key table lacks"
done > "$tmp/extra"
grep ' nodefault$' "$tmp/page" | while read -r sec key _; do
	echo "FAIL: [$sec] $key in $conf5 never says what its default is"
done >> "$tmp/extra"
if [ -s "$tmp/extra" ]; then
	cat "$tmp/extra"
	fail=1
fi

# --- scrapeqctl(8) ---------------------------------------------------------------------
"$ctl" --help > "$tmp/help" || { echo "FAIL: scrapeqctl --help"; exit 99; }
# The usage lines of the command table: between "commands:" and the -c line.
sed -n '/^commands:$/,/^-c /{/^  /s/^  //p}' "$tmp/help" > "$tmp/usage"
[ -s "$tmp/usage" ] || { echo "FAIL: no commands in scrapeqctl --help"; exit 99; }

# A command is its leading lower-case words ("user add", "check-config").
words() {
	awk '{ w = ""; for (i = 1; i <= NF && $i ~ /^[a-z][a-z-]*$/; i++) w = w (w == "" ? "" : " ") $i; print w }'
}

while read -r line; do
	cmd=$(echo "$line" | words)
	rows=$((rows + 1))
	if ! grep -q "^\.It Cm $cmd\( \|\$\)" "$ctl8"; then
		echo "FAIL: scrapeqctl $cmd is in the command table but has no '.It Cm $cmd' in $ctl8"
		fail=1
	fi
	for opt in $(echo "$line" | grep -o -- '--[a-z][a-z-]*'); do
		rows=$((rows + 1))
		if ! grep -q "Fl -${opt#--}\( \|\$\)" "$ctl8"; then
			echo "FAIL: scrapeqctl $cmd $opt is not in $ctl8"
			fail=1
		fi
	done
done < "$tmp/usage"
words < "$tmp/usage" > "$tmp/cmds"
sed -n 's/^\.It Cm //p' "$ctl8" | words | while read -r cmd; do
	grep -qx "$cmd" "$tmp/cmds" ||
		echo "FAIL: $ctl8 documents scrapeqctl $cmd, which its command table lacks"
done > "$tmp/extra"
if [ -s "$tmp/extra" ]; then
	cat "$tmp/extra"
	fail=1
fi

echo "test_manuals: $rows rows checked"
exit $fail
