#!/usr/bin/env bash
# pg.sh: a private PostgreSQL cluster for one checkout, driven by the Makefile.
#
#   pg.sh start DATADIR SOCKDIR PORT DBNAME [-c name=value ...]
#       Install the server if needed, create the cluster the first time, start it if it
#       is not answering, and create DBNAME if missing. The -c options go to postgres;
#       when they turn fsync off, initdb skips its own sync too.
#   pg.sh stop DATADIR...      fast shutdown of each cluster that is running
#   pg.sh remove DATADIR...    stop, then delete the clusters (including any kept in PG_HOME)
#
# Environment:
#   PGBIN       server binaries; default: the newest /usr/lib/postgresql/*/bin
#   PG_HOME     where clusters live when the postgres user cannot reach the checkout
#               (a private parent such as /root); the Makefile sets /var/lib/tcms/<hash>
#   PG_DRY_RUN  1 = print the package installation instead of running it
#
# The server listens on its unix socket only (listen_addresses=''); PORT just names the
# socket file. As root, initdb and postgres run as the postgres user, because they refuse
# to run as root.
set -euo pipefail

say() { echo "tcms: $*" >&2; }
die() { say "$*"; exit 1; }

is_root() { [ "$(id -u)" = 0 ]; }

# as_pg runs a command as the owner of the cluster.
as_pg() {
	if is_root; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

find_pgbin() {
	if [ -n "${PGBIN:-}" ]; then
		echo "$PGBIN"
	else
		# sort -V so that a future 17 sorts after 9.6.
		ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
	fi
}

# ensure_server installs Debian's postgresql package when no initdb is found, then sets BIN.
ensure_server() {
	BIN=$(find_pgbin)
	if [ -n "$BIN" ] && [ -x "$BIN/initdb" ]; then
		return
	fi
	local sudo=""
	if ! is_root; then
		command -v sudo >/dev/null 2>&1 ||
			die "PostgreSQL is not installed (no ${PGBIN:-/usr/lib/postgresql/*/bin}/initdb) and you are neither root nor able to use sudo. Install the 'postgresql' package, or set DATABASE_URL to an existing server (docs/running.md)."
		sudo="sudo"
	fi
	command -v apt-get >/dev/null 2>&1 ||
		die "PostgreSQL is not installed and this is not a Debian-like system (no apt-get). Install PostgreSQL 15 or newer and set PGBIN to its bin directory, or set DATABASE_URL."
	say "PostgreSQL is not installed; installing Debian's postgresql package${sudo:+ with sudo}"
	if [ "${PG_DRY_RUN:-}" = 1 ]; then
		echo "${sudo:+$sudo }apt-get update"
		echo "${sudo:+$sudo }env DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql"
		die "PG_DRY_RUN=1: stopping before the installation"
	fi
	$sudo apt-get update
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql
	BIN=$(find_pgbin)
	[ -n "$BIN" ] && [ -x "$BIN/initdb" ] ||
		die "the postgresql package is installed but ${PGBIN:-/usr/lib/postgresql/*/bin}/initdb is still missing"
}

# prepare_sockdir creates the socket directory, private to the cluster's owner.
# It lives in /tmp (the socket path must stay under 107 bytes), so refuse anything
# that someone else could have planted there.
prepare_sockdir() {
	local dir=$1 owner
	[ -L "$dir" ] && die "$dir is a symbolic link; remove it"
	[ -d "$dir" ] || mkdir -m 700 "$dir" 2>/dev/null || [ -d "$dir" ] || die "cannot create $dir"
	owner=$(stat -c %U "$dir")
	if is_root; then
		case $owner in
		root) chown postgres:postgres "$dir" ;;
		postgres) ;;
		*) die "$dir belongs to $owner, not postgres; remove it" ;;
		esac
	else
		[ "$owner" = "$(id -un)" ] || die "$dir belongs to $owner, not $(id -un); remove it"
	fi
	chmod 700 "$dir"
}

# make_pgdir creates an empty directory for initdb, owned by the cluster's owner.
make_pgdir() {
	(umask 022 && mkdir -p "$1")
	if is_root; then chown postgres:postgres "$1"; fi
	chmod 700 "$1"
}

# resolve_datadir sets REAL to the directory the cluster really lives in, creating it the
# first time. As root the postgres user must be able to reach it; when a parent directory
# is private (a clone under /root), the cluster lives in PG_HOME and DATADIR links to it.
resolve_datadir() {
	local data=$1 parent home
	if [ -L "$data" ]; then
		REAL=$(readlink -m "$data")
		[ -f "$REAL/PG_VERSION" ] || make_pgdir "$REAL"
		return
	fi
	if [ -d "$data" ]; then
		REAL=$(readlink -f "$data")
	else
		(umask 022 && mkdir -p "$(dirname "$data")")
		parent=$(readlink -f "$(dirname "$data")")
		if is_root && ! runuser -u postgres -- test -x "$parent"; then
			[ -n "${PG_HOME:-}" ] || die "the postgres user cannot reach $parent and PG_HOME is not set"
			home="$PG_HOME/$(basename "$data")"
			(umask 022 && mkdir -p "$PG_HOME")
			runuser -u postgres -- test -x "$PG_HOME" || die "the postgres user cannot reach $PG_HOME either"
			pwd -P >"$PG_HOME/checkout"
			[ -f "$home/PG_VERSION" ] || make_pgdir "$home"
			ln -s "$home" "$data"
			say "the postgres user cannot reach $parent (a parent directory is private), so this cluster lives in $home; $data links to it"
			REAL=$home
			return
		fi
		make_pgdir "$data"
		REAL=$(readlink -f "$data")
	fi
	if is_root && ! runuser -u postgres -- test -x "$REAL"; then
		die "the postgres user cannot reach $REAL (a parent directory is private); run 'make clean-data' and try again"
	fi
}

cmd_start() {
	[ $# -ge 4 ] || die "usage: pg.sh start DATADIR SOCKDIR PORT DBNAME [-c name=value ...]"
	local data=$1 sock=$2 port=$3 db=$4
	shift 4
	local opts="-p $port -k $sock -c listen_addresses='' -c unix_socket_permissions=0700 $*"
	local nosync=""
	case " $* " in *" fsync=off "*) nosync=--no-sync ;; esac

	ensure_server
	prepare_sockdir "$sock"
	resolve_datadir "$data"
	if ! "$BIN/pg_isready" -q -h "$sock" -p "$port"; then
		if [ ! -f "$REAL/PG_VERSION" ]; then
			local initlog
			initlog="$(dirname "$data")/$(basename "$data")-initdb.log"
			as_pg "$BIN/initdb" -D "$REAL" -U postgres -A trust -E UTF8 --locale=C.UTF-8 $nosync >"$initlog" 2>&1 ||
				{ tail -n 20 "$initlog" >&2; die "initdb failed; see $initlog"; }
		fi
		# Right after an unclean stop (kill -9) the old backends may still be exiting and
		# a start fails, so keep trying for about 6 s; pg_isready, not pg_ctl status, says "up".
		local i
		for i in $(seq 12); do
			as_pg "$BIN/pg_ctl" -D "$REAL" -l "$REAL/server.log" -w -t 60 -o "$opts" start >/dev/null 2>&1 && break
			"$BIN/pg_isready" -q -h "$sock" -p "$port" && break
			if [ "$i" = 12 ]; then
				tail -n 20 "$REAL/server.log" >&2 || true
				die "PostgreSQL in $data did not start; see $data/server.log"
			fi
			sleep 0.5
		done
	fi
	if [ "$("$BIN/psql" -X -Atq -h "$sock" -p "$port" -U postgres -d postgres -c "SELECT 1 FROM pg_database WHERE datname = '$db'")" != 1 ]; then
		"$BIN/createdb" -h "$sock" -p "$port" -U postgres "$db"
	fi
	say "PostgreSQL $("$BIN/postgres" -V | awk '{print $3}') for $data is up (psql -h $sock -p $port -U postgres $db)"
}

# clusters prints, for each DATADIR, the directory its cluster really lives in (if any):
# the link target, the directory itself, or a leftover in PG_HOME whose link was deleted.
clusters() {
	local data
	for data in "$@"; do
		if [ -e "$data" ]; then
			readlink -f "$data"
		elif [ -n "${PG_HOME:-}" ] && [ -f "$PG_HOME/$(basename "$data")/PG_VERSION" ]; then
			echo "$PG_HOME/$(basename "$data")"
		fi
	done
}

cmd_stop() {
	local real sock
	BIN=$(find_pgbin)
	for real in $(clusters "$@"); do
		[ -f "$real/PG_VERSION" ] && [ -x "$BIN/pg_ctl" ] || continue
		as_pg "$BIN/pg_ctl" -D "$real" status >/dev/null 2>&1 || continue
		sock=$(sed -n 5p "$real/postmaster.pid" 2>/dev/null || true)
		as_pg "$BIN/pg_ctl" -D "$real" -m fast -w -t 60 stop >/dev/null
		say "stopped PostgreSQL in $real"
		[ -z "$sock" ] || rmdir "$sock" 2>/dev/null || true
	done
}

cmd_remove() {
	local real
	cmd_stop "$@"
	for real in $(clusters "$@"); do
		# Only ever delete what is recognisably a cluster.
		[ -f "$real/PG_VERSION" ] && rm -rf "$real" && say "deleted $real"
	done
	if [ -n "${PG_HOME:-}" ] && [ -d "$PG_HOME" ]; then
		rm -f "$PG_HOME/checkout"
		rmdir "$PG_HOME" 2>/dev/null || true
	fi
}

case ${1:-} in
start) shift; cmd_start "$@" ;;
stop) shift; cmd_stop "$@" ;;
remove) shift; cmd_remove "$@" ;;
*) die "usage: pg.sh start|stop|remove ... (see the comment at the top of scripts/pg.sh)" ;;
esac
