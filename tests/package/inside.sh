#!/bin/bash
# tests/package/inside.sh: run by tests/package/run as the first process of new pid,
# mount and network namespaces, chrooted into a Debian 12 root where scrapeq's .deb,
# mariadb-server, nginx, curl and jq were just installed with apt. It does what README's
# "Install from the Debian package" tells a sysadmin to do, with no systemd: MariaDB
# started by hand, `scrapeqctl setup`, each unit's ExecStart= run as its User=, the
# snippet included in Debian's stock server block, README's curl lines against a small
# site on 127.0.0.1:8081; then stops everything by pid and purges the package.
# Prints "ok - ..." / "not ok - ..." lines; tests/package/run counts them.
set -u
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
PIDS=()              # what this script started, stopped in reverse order at the end
SITE_PORT=8081
SITE=http://127.0.0.1:$SITE_PORT/

ok() { echo "ok - $*"; }
nok() { echo "not ok - $*"; }
check() { if [ "$1" -eq 0 ]; then ok "$2"; else nok "$2"; return 1; fi; }
note() { sed 's/^/#   /'; }
wait_for() { # wait_for SECONDS COMMAND...: 0 once COMMAND succeeds
	local end=$(($(date +%s) + $1))
	shift
	until "$@" >/dev/null 2>&1; do
		[ "$(date +%s)" -lt "$end" ] || return 1
		sleep 0.2
	done
}
stop_all() {
	local i
	for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
		kill -TERM "${PIDS[i]}" 2>/dev/null || true
	done
	for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
		wait_for 20 sh -c "! kill -0 ${PIDS[i]}" || kill -KILL "${PIDS[i]}" 2>/dev/null
	done
	PIDS=()
}
trap stop_all EXIT

# --- what the package installed ---------------------------------------------------------
getent passwd scrapeq >/dev/null && getent passwd scrapeq-handler >/dev/null
check $? "postinst created the system accounts scrapeq and scrapeq-handler"
[ "$(stat -c '%a %U' /etc/scrapeq/jwt.key)" = "600 scrapeq" ] && [ "$(stat -c %s /etc/scrapeq/jwt.key)" = 64 ]
check $? "postinst wrote /etc/scrapeq/jwt.key: 64 bytes, mode 600, owner scrapeq"
[ "$(stat -c '%a %U' /var/log/scrapeq)" = "750 scrapeq" ]
check $? "postinst made /var/log/scrapeq (750, scrapeq)"
[ ! -e /etc/scrapeq/db.password ]
check $? "postinst wrote no /etc/scrapeq/db.password (that is setup's)"
conf=$(dpkg-query -W -f='${Conffiles}\n' scrapeq | awk '{print $1}' | sort | tr '\n' ' ')
[ "$conf" = "/etc/logrotate.d/scrapeq /etc/nginx/conf.d/scrapeq-http.conf /etc/nginx/snippets/scrapeq.conf /etc/scrapeq/scrapeq.conf " ]
check $? "conffiles: the config, both nginx files, logrotate ($conf)"
files=(/usr/bin/scrapeq-api /usr/bin/scrapeqd /usr/bin/scrapeq-events /usr/bin/scrapeqctl
	/lib/systemd/system/scrapeq-api.socket /lib/systemd/system/scrapeq-api.service
	/lib/systemd/system/scrapeqd.service /lib/systemd/system/scrapeq-events.service
	/usr/share/scrapeq/sql/001_initial.sql /usr/share/scrapeq/web/index.html
	/usr/share/man/man8/scrapeqctl.8.gz /usr/share/man/man5/scrapeq.conf.5.gz
	/usr/share/doc/scrapeq/README.md)
missing=""
for f in "${files[@]}"; do [ -e "$f" ] || missing="$missing $f"; done
[ -z "$missing" ]
check $? "the programs, units, migrations, dashboard, manuals, README are installed${missing:+ (missing:$missing)}"
[ -z "$(find /etc/systemd/system -name 'scrapeq*' 2>/dev/null)" ]
check $? "no scrapeq unit is enabled on install"

# --- MariaDB, as the mariadb unit would (no systemd here) --------------------------------
install -d -o mysql -g mysql /run/mysqld
mariadbd --user=mysql >/var/log/mariadbd.test.log 2>&1 &
PIDS+=($!)
wait_for 60 mariadb-admin ping
check $? "mariadbd answers on /run/mysqld/mysqld.sock"
[ -z "$(mariadb -N -B -e "SHOW DATABASES LIKE 'scrapeq'" 2>&1)" ]
check $? "the package made no database"

# --- scrapeqctl setup ----------------------------------------------------------------------
out=$(scrapeqctl setup 2>&1)
rc=$?
echo "$out" | note
[ $rc -eq 0 ] && echo "$out" | grep -q '^setup done' && echo "$out" | grep -q 'applied [0-9]* migration'
check $? "scrapeqctl setup: the database, its user, the password file, the migrations"
[ "$(stat -c '%a %U' /etc/scrapeq/db.password)" = "600 scrapeq" ]
check $? "/etc/scrapeq/db.password: mode 600, owner scrapeq"
out=$(scrapeqctl setup 2>&1)
rc=$?
[ $rc -eq 0 ] && echo "$out" | grep -q 'db.password: kept' && echo "$out" | grep -q 'schema is up to date'
check $? "scrapeqctl setup again: password file kept, schema up to date"

# The sysadmin's edit: let the crawler reach this host's site.
cf=/etc/scrapeq/scrapeq.conf
sed -i -e 's|^# allow_networks = .*|allow_networks = 127.0.0.0/8|' "$cf"
grep -q '^allow_networks = 127.0.0.0/8$' "$cf" && scrapeqctl check-config >/dev/null
check $? "the config edited ([daemon] allow_networks); check-config ok"

# --- the units' ExecStart lines, as their User= ---------------------------------------------
unit_key() { sed -n "s/^$2=//p" "/lib/systemd/system/$1" | head -1; }
# scrapeq-api.socket as systemd would hold it: spawn-fcgi binds its ListenStream= with
# its SocketUser=, SocketGroup= and SocketMode=, and execs the service's ExecStart= as
# the service's User= with that socket on fd 0 (StandardInput=socket). The config's
# [api] socket stays empty, as packaged.
sock=$(unit_key scrapeq-api.socket ListenStream)
install -d -o scrapeq -g scrapeq -m 0755 "/run/$(unit_key scrapeq-api.service RuntimeDirectory)"
# shellcheck disable=SC2046 # the ExecStart line is words, as systemd splits it
spawn-fcgi -n -s "$sock" -M "$(unit_key scrapeq-api.socket SocketMode)" \
	-U "$(unit_key scrapeq-api.socket SocketUser)" -G "$(unit_key scrapeq-api.socket SocketGroup)" \
	-u "$(unit_key scrapeq-api.service User)" -g "$(unit_key scrapeq-api.service Group)" \
	-- $(unit_key scrapeq-api.service ExecStart) >/var/log/scrapeq/scrapeq-api.test.log 2>&1 &
PIDS+=($!)
echo "# started scrapeq-api.service on $sock (spawn-fcgi, as scrapeq-api.socket says): pid $!"
for unit in scrapeq-events.service scrapeqd.service; do
	exec_line=$(unit_key $unit ExecStart)
	user=$(unit_key $unit User)
	group=$(unit_key $unit Group)
	rtdir=$(unit_key $unit RuntimeDirectory)
	[ -z "$rtdir" ] || install -d -o "$user" -g "$group" -m 0755 "/run/$rtdir"
	# shellcheck disable=SC2086 # the ExecStart line is words, as systemd splits it
	setpriv --reuid="$user" --regid="$group" --init-groups -- $exec_line \
		</dev/null >"/var/log/scrapeq/${unit%.service}.test.log" 2>&1 &
	PIDS+=($!)
	echo "# started $unit: $exec_line as $user:$group (pid $!)"
done
wait_for 20 test -S "$sock"
[ "$(stat -c '%a %U %G' "$sock")" = "660 scrapeq www-data" ]
check $? "$sock: 660 scrapeq www-data, as scrapeq-api.socket says"
sleep 1
alive=1
for p in "${PIDS[@]}"; do kill -0 "$p" 2>/dev/null || alive=0; done
[ $alive = 1 ]
check $? "mariadbd, scrapeq-api, scrapeq-events and scrapeqd all run" ||
	tail -n 5 /var/log/scrapeq/*.test.log | note

# --- nginx: the stock default server block with the one include line ------------------------
sed -i '0,/^\tserver_name _;$/s//\tserver_name _;\n\tinclude \/etc\/nginx\/snippets\/scrapeq.conf;/' \
	/etc/nginx/sites-available/default
[ "$(grep -c 'include /etc/nginx/snippets/scrapeq.conf;' /etc/nginx/sites-available/default)" = 1 ]
check $? "the include line added to /etc/nginx/sites-available/default"
mkdir -p /srv/crawlsite
page() { # page NAME LINK...
	local f=/srv/crawlsite/$1 l
	{
		echo "<!doctype html><html><head><title>$1</title></head><body><h1>$1</h1>"
		shift
		for l in "$@"; do echo "<p><a href=\"$l\">$l</a></p>"; done
		echo "</body></html>"
	} >"$f"
}
# depth 0 index, 1 a b, 2 c, 3 d, 4 e: the default depth (3) stops before e.
page index.html a.html b.html
page a.html c.html /
page b.html /
page c.html d.html
page d.html e.html
page e.html
cat >/etc/nginx/sites-enabled/crawlsite <<EOF
server {
	listen 127.0.0.1:$SITE_PORT;
	root /srv/crawlsite;
	access_log /var/log/nginx/crawlsite.log;
}
EOF
nginx -t >/tmp/nginx-t.log 2>&1
rc=$?
note </tmp/nginx-t.log
check $rc "nginx -t with the snippet and conf.d/scrapeq-http.conf"
nginx -g 'daemon off;' >/var/log/nginx/test.log 2>&1 &
PIDS+=($!)
wait_for 20 curl -sf http://127.0.0.1/api/v1/ping?db=1
check $? "GET /api/v1/ping?db=1 through Debian's default server block answers 200" ||
	{ curl -si http://127.0.0.1/api/v1/ping?db=1; tail -n 5 /var/log/nginx/error.log; } 2>&1 | note
[ "$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1/api/v1/projects)" = 401 ]
check $? "GET /api/v1/projects without a token: 401"

# --- README's curl lines ------------------------------------------------------------------
out=$(scrapeqctl user add admin --admin 2>&1)
check $? "scrapeqctl user add admin --admin"
awk '/^## Install from the Debian package/ {s = 1} s && /^```sh$/ {b = 1; next} b && /^```$/ {exit} b' \
	/tmp/pkg/README.md >/tmp/readme-curl.sh
grep -q '^SITE=' /tmp/readme-curl.sh && grep -q 'curl' /tmp/readme-curl.sh
check $? "README's curl block found ($(wc -l </tmp/readme-curl.sh) lines)"
sed -i "s|^SITE=[^ ]*|SITE=$SITE|" /tmp/readme-curl.sh
t0=$(date +%s)
timeout 120 bash -e /tmp/readme-curl.sh >/tmp/readme-curl.out 2>&1
rc=$?
note </tmp/readme-curl.out
status=$(sed -n '1p' /tmp/readme-curl.out)
urls=$(sed -n '2,$p' /tmp/readme-curl.out | sort | tr '\n' ' ')
want=$(for p in "" a.html b.html c.html d.html; do echo "$SITE$p"; done | sort | tr '\n' ' ')
[ $rc -eq 0 ] && [ "$status" = completed ]
check $? "README's lines: the job completed ($(($(date +%s) - t0)) s)"
[ "$urls" = "$want" ]
check $? "its results are the site's pages to depth 3: $want"
grep -q '"GET /e.html' /var/log/nginx/crawlsite.log
[ $? -ne 0 ]
check $? "the page past the depth was never fetched"

# --- what else the sysadmin meets: the dashboard, /metrics, scrapeqctl status -------------
code=$(curl -s -o /tmp/dash.html -w '%{http_code}' http://127.0.0.1/scrapeq/)
[ "$code" = 200 ] && grep -q 'js/app.js' /tmp/dash.html &&
	[ "$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1/scrapeq/js/app.js)" = 200 ] &&
	curl -sI http://127.0.0.1/scrapeq/ | grep -qi '^content-security-policy:'
check $? "the dashboard: /scrapeq/ and its modules from /usr/share/scrapeq/web, with its CSP"
curl -s -o /tmp/metrics.txt -w '%{http_code}' http://127.0.0.1/metrics >/tmp/metrics.code
[ "$(cat /tmp/metrics.code)" = 200 ] && grep -q '^scrapeq_jobs{status="completed"} [1-9]' /tmp/metrics.txt &&
	grep -q '^scrapeq_pages_fetched_total ' /tmp/metrics.txt
check $? "GET /metrics from loopback: 200 with the completed job counted" ||
	{ cat /tmp/metrics.code; head -n 20 /tmp/metrics.txt; } | note
scrapeqctl status >/tmp/status.out 2>&1
rc=$?
note </tmp/status.out
check $rc "scrapeqctl status: exit 0 with the units running"

# --- stop, then purge -------------------------------------------------------------------
stop_all
left=""
for d in /proc/[0-9]*; do
	case "$(cat "$d/comm" 2>/dev/null)" in
	scrapeq*|mariadbd|nginx) left="$left ${d#/proc/}" ;;
	esac
done
[ -z "$left" ]
check $? "everything started here stopped, by pid${left:+ (still running:$left)}"
# The upgrade path, with the same .deb again: postinst runs with the old version, keeps
# the secrets and the edited conffile, and prints the migrate reminder.
sums=$(md5sum /etc/scrapeq/jwt.key /etc/scrapeq/db.password /etc/scrapeq/scrapeq.conf)
dpkg -i /tmp/pkg/scrapeq_*.deb >/tmp/reinstall.log 2>&1
rc=$?
[ $rc -eq 0 ] && [ "$(md5sum /etc/scrapeq/jwt.key /etc/scrapeq/db.password /etc/scrapeq/scrapeq.conf)" = "$sums" ] &&
	grep -q "scrapeqctl migrate" /tmp/reinstall.log
check $? "installed again over itself: jwt.key, db.password and the edited config kept; the migrate note printed" ||
	note </tmp/reinstall.log
sed -i '/include \/etc\/nginx\/snippets\/scrapeq.conf;/d' /etc/nginx/sites-available/default
dpkg --purge scrapeq >/tmp/purge.log 2>&1
rc=$?
note </tmp/purge.log
check $rc "dpkg --purge scrapeq"
left=""
for f in /etc/scrapeq /var/log/scrapeq /var/lib/scrapeq /usr/bin/scrapeqctl /usr/share/scrapeq \
	/etc/nginx/snippets/scrapeq.conf /etc/nginx/conf.d/scrapeq-http.conf /etc/logrotate.d/scrapeq \
	/lib/systemd/system/scrapeqd.service; do
	[ -e "$f" ] && left="$left $f"
done
[ -z "$left" ]
check $? "purge removed the config, secrets, password file, logs, programs, nginx files, units${left:+ (left:$left)}"
dpkg -s scrapeq >/dev/null 2>&1
[ $? -ne 0 ]
check $? "dpkg knows scrapeq no more"
getent passwd scrapeq >/dev/null && getent passwd scrapeq-handler >/dev/null
check $? "the accounts scrapeq and scrapeq-handler stay (README says why)"
nginx -t >/dev/null 2>&1
check $? "nginx -t passes after the purge (the include line removed first, as README says)"
exit 0
