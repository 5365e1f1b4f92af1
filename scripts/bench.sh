#!/usr/bin/env bash
# bench.sh: the body of `make bench` (docs/performance.md). The Makefile has built bin/tcms
# and bin/tcms-bench and started the run cluster; this script gives the server a fresh
# database tcms_bench on that cluster, serves it on a free loopback port with profiling on,
# runs tcms-bench with BENCH_ARGS (pgbench goes to the database pgbench of the same cluster)
# and stops the server again, whatever happens.
#
# Environment (set by the Makefile): RUN_SOCK, RUN_PORT (the cluster's socket), BENCH_ARGS,
# PGBIN (optional: PostgreSQL's bin directory).
set -euo pipefail

say() { echo "bench: $*" >&2; }
BIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
url() { echo "postgres:///$1?host=$RUN_SOCK&port=$RUN_PORT&user=postgres&sslmode=disable"; }
mkdir -p .data/bench bench/results
log=.data/bench/server.log

PGOPTIONS='-c client_min_messages=warning' "$BIN/psql" -X -q -h "$RUN_SOCK" -p "$RUN_PORT" -U postgres -d postgres \
	-c 'DROP DATABASE IF EXISTS tcms_bench WITH (FORCE)' -c 'CREATE DATABASE tcms_bench'
export DATABASE_URL
DATABASE_URL=$(url tcms_bench)
unset TCMS_ADMIN_USERNAME TCMS_ADMIN_PASSWORD TCMS_ADMIN_EMAIL
bin/tcms migrate >/dev/null
bin/tcms initial-setup >/dev/null
TCMS_BENCH_PASSWORD=$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')
export TCMS_BENCH_PASSWORD
bin/tcms createsuperuser -username bench -email bench@example.com -password "$TCMS_BENCH_PASSWORD" >/dev/null

# Port 0: the kernel picks a free port, and the server logs the address it got.
TCMS_ADDR=127.0.0.1:0 TCMS_PPROF=true bin/tcms serve 2>"$log" &
server=$!
trap 'kill "$server" 2>/dev/null && wait "$server" 2>/dev/null; true' EXIT
addr=""
for _ in $(seq 100); do
	addr=$(sed -n 's/.*"msg":"serving","addr":"\([^"]*\)".*/\1/p' "$log" | head -n 1)
	[ -n "$addr" ] && curl -fsS "http://$addr/readyz" >/dev/null 2>&1 && break
	kill -0 "$server" 2>/dev/null || { cat "$log" >&2; say "the server did not start"; exit 1; }
	addr=""
	sleep 0.1
done
[ -n "$addr" ] || { say "the server did not become ready; see $log"; exit 1; }
say "server pid $server on http://$addr, log in $log"

# BENCH_ARGS is split into words on purpose: flags, then runs.
# shellcheck disable=SC2086
bin/tcms-bench -url "http://$addr" -user bench -server-pid "$server" -out bench/results \
	-pgbench "$BIN/pgbench" -pgbench-url "$(url pgbench)" $BENCH_ARGS | tee .data/bench/report.txt

profile=$(sed -n 's/^CPU profile of the first write run: //p' .data/bench/report.txt)
if [ -n "$profile" ]; then
	echo
	echo "go tool pprof -top bin/tcms $profile (head):"
	go tool pprof -top bin/tcms "$profile" 2>/dev/null | head -n 30
fi
