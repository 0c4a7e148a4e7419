#!/usr/bin/env bash
# bench-import.sh: times the bulk import of 200,000 leave rows (against 2,000
# people) end to end — `franja import` → HTTP → parse → COPY → checks →
# upsert — and, as the baseline, a plain `psql \copy` of the same file into a
# bare table on the same server. Prints both and their ratio (the target is
# at most ~15x; see BENCHMARKS.md).
#
# Usage: scripts/bench-import.sh            (starts a throwaway PostgreSQL)
#        DATABASE_URL=postgres://… scripts/bench-import.sh   (uses that server;
#        it creates and drops a database named franja_bench there)
#
# Needs: go, psql, and (without DATABASE_URL) the PostgreSQL server binaries.
set -euo pipefail
cd "$(dirname "$0")/.."

ROWS=${ROWS:-200000}
PEOPLE=${PEOPLE:-2000}
PORT=${PORT:-18089}
TOKEN=bench-admin-token-0123456789
work=$(mktemp -d /var/tmp/franja-bench.XXXXXX)
chmod 755 "$work"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ -n "${PGCTL:-}" ]; then $PGCTL stop -m fast >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

now() { date +%s.%N; }
elapsed() { echo "$2 - $1" | bc; }

# --- the server -------------------------------------------------------------
if [ -z "${DATABASE_URL:-}" ]; then
  bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  as=()
  if [ "$(id -u)" = 0 ]; then as=(runuser -u postgres --); chown postgres "$work"; fi
  "${as[@]}" "$bin/initdb" -D "$work/pg" -U franja -A trust >/dev/null
  PGCTL="${as[*]} $bin/pg_ctl -D $work/pg -l $work/pg.log -w"
  # Durability off, as in the tests (pgtest): the comparison is between two
  # loads on the same server, not of the disk.
  $PGCTL start -o "-c listen_addresses='' -c unix_socket_directories=$work -c fsync=off -c synchronous_commit=off -c full_page_writes=off" >/dev/null
  base="postgres://franja@/postgres?host=$work"
  psql -q "$base" -c "CREATE DATABASE franja_bench"
  DB="postgres://franja@/franja_bench?host=$work"
else
  psql -q "$DATABASE_URL" -c "DROP DATABASE IF EXISTS franja_bench" -c "CREATE DATABASE franja_bench"
  DB=$(python3 -c 'import sys,urllib.parse as u; p=u.urlparse(sys.argv[1]); print(u.urlunparse(p._replace(path="/franja_bench")))' "$DATABASE_URL")
fi

# --- the files --------------------------------------------------------------
echo "generating $ROWS leave rows for $PEOPLE people in $work"
printf 'code,name,kind,country,city,time_zone,calendars,schedule\nBOG,Bogotá,headquarters,CO,Bogotá,America/Bogota,CO,"mon=08:00-12:00,13:00-17:00;tue=08:00-12:00,13:00-17:00;wed=08:00-12:00,13:00-17:00;thu=08:00-12:00,13:00-17:00;fri=08:00-12:00,13:00-17:00"\n' >"$work/posts.csv"
awk -v n="$PEOPLE" 'BEGIN {
  print "external_id,full_name,email,post,supervisor"
  print "P1,Person 1,p1@example.org,BOG,"
  for (i = 2; i <= n; i++) printf "P%d,Person %d,p%d@example.org,BOG,P%d\n", i, i, i, int((i - 2) / 10) + 1
}' >"$work/people.csv"
awk -v n="$ROWS" -v people="$PEOPLE" 'BEGIN {
  split("vacation sick_leave maternity_leave paternity_leave bereavement_leave unpaid_leave unpaid_study_leave paid_permission compensatory_rest compensatory_day suspension study_commission study_permission union_permission lactation_permission", kinds, " ")
  print "person,kind,external_ref,start_date,end_date,starts_at,ends_at,delegate,time_zone"
  for (i = 0; i < n; i++) {
    p = "P" (i % people + 1); k = kinds[i % 15 + 1]; d = (i % 28) + 1; m = (i % 12) + 1
    delegate = (i % 50 == 0) ? "P" ((i + 1) % people + 1) : ""
    if (i % 10 == 0)
      printf "%s,%s,HR-%07d,,,2026-%02d-%02dT13:00:00Z,2026-%02d-%02dT16:00:00Z,%s,\n", p, k, i, m, d, m, d, delegate
    else
      printf "%s,%s,HR-%07d,2026-%02d-%02d,2026-%02d-%02d,,,%s,\n", p, k, i, m, d, m, d, delegate
  }
}' >"$work/leaves.csv"
# The same file with one bad row in the middle: line 100,001 (header = 1).
bad_line=$(( ROWS / 2 + 1 ))
awk -v bad="$bad_line" -F, -v OFS=, 'NR == bad { $2 = "holiday" } { print }' "$work/leaves.csv" >"$work/leaves-bad.csv"
ls -l "$work"/*.csv | awk '{print "  " $5 " bytes  " $9}'

# --- baseline: psql \copy into a bare table ---------------------------------
psql -q "$DB" -c "CREATE TABLE bare (person text, kind text, external_ref text, start_date date, end_date date, starts_at timestamptz, ends_at timestamptz, delegate text, time_zone text)"
best_copy=
for i in 1 2 3; do
  psql -q "$DB" -c "TRUNCATE bare"
  t0=$(now); psql -q "$DB" -c "\\copy bare FROM '$work/leaves.csv' CSV HEADER"; t1=$(now)
  t=$(elapsed "$t0" "$t1"); echo "psql \\copy into a bare table: ${t}s"
  if [ -z "$best_copy" ] || [ "$(echo "$t < $best_copy" | bc)" = 1 ]; then best_copy=$t; fi
done
psql -q "$DB" -c "DROP TABLE bare"

# --- franja -----------------------------------------------------------------
go build -o "$work/franja" ./cmd/franja
DATABASE_URL=$DB FRANJA_ADDR=127.0.0.1:$PORT FRANJA_ADMIN_TOKEN=$TOKEN FRANJA_LOG_LEVEL=warn "$work/franja" serve >"$work/serve.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do
  curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break
  sleep 0.1
done
export FRANJA_SERVER=http://127.0.0.1:$PORT FRANJA_TOKEN=$TOKEN
"$work/franja" import posts "$work/posts.csv"
"$work/franja" import people "$work/people.csv"

timed_import() { # label file
  local t0 t1
  t0=$(now); "$work/franja" import leaves "$2" | tail -1; t1=$(now)
  last=$(elapsed "$t0" "$t1"); echo "franja import leaves ($1): ${last}s"
}
timed_import "create" "$work/leaves.csv"; create=$last
timed_import "unchanged" "$work/leaves.csv"; unchanged=$last
versions_before=$(psql -tA "$DB" -c "SELECT count(*), sum(version) FROM leaves")
t0=$(now)
if "$work/franja" import leaves "$work/leaves-bad.csv" >"$work/bad.out" 2>&1; then
  echo "FAIL: the file with a bad row was accepted" >&2; exit 1
fi
t1=$(now); reject=$(elapsed "$t0" "$t1")
grep -q "^line $bad_line: kind: \"holiday\" is not a leave kind" "$work/bad.out" || { echo "FAIL: line $bad_line not reported:" >&2; cat "$work/bad.out" >&2; exit 1; }
versions_after=$(psql -tA "$DB" -c "SELECT count(*), sum(version) FROM leaves")
[ "$versions_before" = "$versions_after" ] || { echo "FAIL: a rejected import changed leaves ($versions_before → $versions_after)" >&2; exit 1; }
echo "franja import leaves (one bad row, rejected): ${reject}s — $(grep -c '^line ' "$work/bad.out") error line(s), leaves unchanged ($versions_after)"

echo
echo "best psql \\copy:            ${best_copy}s"
echo "franja import (create):    ${create}s = $(echo "scale=1; $create / $best_copy" | bc)x"
echo "franja import (unchanged): ${unchanged}s = $(echo "scale=1; $unchanged / $best_copy" | bc)x"
echo "franja import (rejected):  ${reject}s = $(echo "scale=1; $reject / $best_copy" | bc)x"
