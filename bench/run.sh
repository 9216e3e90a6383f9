#!/usr/bin/env bash
# One command for the benchmark: bench/run.sh [--quick] [--runs N] [--scenario all|sse|history]
# Builds Release, starts a throwaway PostgreSQL server (initdb/pg_ctl as the 'postgres' user on a free loopback port),
# runs the service in embedded (SQLite) and PostgreSQL modes, drives each with the load generator, measures PostgreSQL's
# own single-row INSERT (pgbench, custom script, same concurrency) and COPY rates, prints the table and writes
# bench/results/<date>.md. --runs N repeats every measurement N times on fresh databases and reports the median (with the
# range), since this machine is shared and single runs vary. Must run as root (to become 'postgres'), like the PostgreSQL
# test fixture.
# --scenario sse: ingest with 1,000 SSE clients on GET /api/v1/events (BENCH_SSE_CLIENTS) and with none, in alternating
# rounds of one run (BENCH_SSE_ROUNDS, 3), each client timing ack -> its risk.changed event. --scenario history: GET
# …/risk/history of a 1,000-signal subject, 30 warm reads. Both run embedded mode only unless BENCH_MODES says otherwise,
# and skip the PostgreSQL baselines (no ratio of theirs needs them).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
QUICK=0
RUNS=1
SCENARIO=all
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) QUICK=1; shift ;;
    --runs) RUNS=$2; shift 2 ;;
    --scenario) SCENARIO=$2; shift 2 ;;
    *) echo "usage: bench/run.sh [--quick] [--runs N] [--scenario all|sse|history]" >&2; exit 2 ;;
  esac
done
[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || { echo "--runs takes a positive number" >&2; exit 2; }
[[ "$SCENARIO" =~ ^(all|sse|history)$ ]] || { echo "--scenario is all, sse or history" >&2; exit 2; }
ONLY=$([[ $SCENARIO == all ]] || echo "$SCENARIO")
export SCW_BENCH_SSE_CLIENTS=${BENCH_SSE_CLIENTS:-1000} SCW_BENCH_SSE_ROUNDS=${BENCH_SSE_ROUNDS:-3}
# --quick: the same phases on a smaller data set with shorter loops, so the whole run (build included) fits in 3 minutes.
if [[ $QUICK == 1 ]]; then SUPPLIERS=500; RECRUITERS=100; SIGNALS=10000; SECONDS_PER_LOOP=3; COPY_ROWS=200000
else SUPPLIERS=10000; RECRUITERS=2000; SIGNALS=1000000; SECONDS_PER_LOOP=20; COPY_ROWS=1000000; fi
CONNECTIONS=64
LOAD_AT_START=$(cut -d' ' -f1-3 /proc/loadavg)
# BENCH_SERVICE_ENV adds environment assignments for the service only (runtime settings compared, e.g.
# "DOTNET_gcServer=0 Cluster__GrainDirectory__CacheSize=100000"); the load generator keeps its own.
# BENCH_PG_OPTIONS adds server settings (for example "-c log_min_duration_statement=100"); its log is kept with the others.
# Profiling runs may shrink the data set (the table then says so in its notes): BENCH_SUPPLIERS, BENCH_SIGNALS, ...
SUPPLIERS=${BENCH_SUPPLIERS:-$SUPPLIERS}; RECRUITERS=${BENCH_RECRUITERS:-$RECRUITERS}; SIGNALS=${BENCH_SIGNALS:-$SIGNALS}
WORK=$(mktemp -d /tmp/scw-bench.XXXXXX)
chmod 755 "$WORK"
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[[ -x "$PGBIN/initdb" ]] || PGBIN=/usr/local/bin
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
PGPORT=$(free_port)
SERVICE_PID=""
# The service trusts tokens signed with a key made for this run only; the load generator mints its token with it.
export SCW_BENCH_SIGNING_KEY; SCW_BENCH_SIGNING_KEY=$(head -c 32 /dev/urandom | base64)
export SCW_BENCH_ISSUER=scw-bench SCW_BENCH_AUDIENCE=scw-api

cleanup() {
  local status=$?
  [[ -n "$SERVICE_PID" ]] && kill "$SERVICE_PID" 2>/dev/null || true
  runuser -u postgres -- "$PGBIN/pg_ctl" -D "$WORK/pg" -m immediate -w stop >/dev/null 2>&1 || true
  # Keep the service logs where they can be read: of a failed run in failed/, of the last run in logs/.
  local kept=logs
  [[ $status -ne 0 ]] && kept=failed
  mkdir -p "$ROOT/bench/results/$kept" && cp "$WORK"/*.log "$WORK"/pg/server.log "$ROOT/bench/results/$kept/" 2>/dev/null || true
  [[ $status -ne 0 ]] && echo "bench failed ($status); service logs in bench/results/failed/" >&2
  rm -rf "$WORK"
}
trap cleanup EXIT

echo "== build (Release: the service and the load generator only; incremental, so a second run spends seconds here)"
BUILD_START=$(date +%s)
for project in src/SupplyChainWatch.Api bench/SupplyChainWatch.Bench.Load; do
  dotnet build "$ROOT/$project" -c Release -v q -nologo >"$WORK/build.log" 2>&1 || { cat "$WORK/build.log"; exit 1; }
done
echo "build: $(( $(date +%s) - BUILD_START )) s"
API="$ROOT/src/SupplyChainWatch.Api/bin/Release/net10.0/SupplyChainWatch.Api.dll"
LOAD="$ROOT/bench/SupplyChainWatch.Bench.Load/bin/Release/net10.0/SupplyChainWatch.Bench.Load.dll"

echo "== PostgreSQL (throwaway, port $PGPORT)"
mkdir -p "$WORK/pg" && chown postgres "$WORK/pg"
runuser -u postgres -- "$PGBIN/initdb" -D "$WORK/pg" -A trust -U postgres >/dev/null
runuser -u postgres -- "$PGBIN/pg_ctl" -D "$WORK/pg" -l "$WORK/pg/server.log" -w start \
  -o "-p $PGPORT -k /tmp -c listen_addresses=127.0.0.1 -c max_connections=300 -c shared_buffers=256MB ${BENCH_PG_OPTIONS:-}" >/dev/null
PSQL=(psql -X -q -h 127.0.0.1 -p "$PGPORT" -U postgres)
"${PSQL[@]}" -c "CREATE DATABASE baseline"

run_service() { # $1 = mode name, $2 = run number, $3 = the store as the load generator reads it, then env assignments
  local mode=$1 run=$2 store=$3; shift 3
  local port; port=$(free_port)
  env "$@" ASPNETCORE_URLS="http://127.0.0.1:$port" ASPNETCORE_ENVIRONMENT=Production \
    RiskModel__ConfigDirectory="$ROOT/config" Cluster__SiloPort="$(free_port)" Cluster__GatewayPort="$(free_port)" \
    Authentication__Schemes__Bearer__ValidIssuer=$SCW_BENCH_ISSUER Authentication__Schemes__Bearer__ValidAudiences__0=$SCW_BENCH_AUDIENCE \
    Authentication__Schemes__Bearer__SigningKeys__0__Issuer=$SCW_BENCH_ISSUER Authentication__Schemes__Bearer__SigningKeys__0__Value=$SCW_BENCH_SIGNING_KEY \
    RateLimiting__PermitLimit=1000000000 \
    Logging__LogLevel__Default=Warning ${BENCH_SERVICE_ENV:-} dotnet "$API" >"$WORK/$mode-$run.log" 2>&1 &
  SERVICE_PID=$!
  for _ in $(seq 1 120); do curl -fs "http://127.0.0.1:$port/health/ready" >/dev/null && break; sleep 0.5; done
  local counters=""
  if [[ -n "${BENCH_COUNTERS:-}" ]]; then
    # BENCH_COUNTERS=1: the grains' stage timings and the runtime's counters, every 2 s, to bench/results/traces/.
    mkdir -p "$ROOT/bench/results/traces"
    "${DOTNET_COUNTERS:-$HOME/.dotnet/tools/dotnet-counters}" collect -p "$SERVICE_PID" --refresh-interval 2 --format csv \
      --counters "SupplyChainWatch.Grains,System.Runtime" -o "$ROOT/bench/results/traces/$mode-counters.csv" >/dev/null 2>&1 &
    counters=$!
  fi
  echo "== $mode, run $run of $RUNS: load ($SUPPLIERS suppliers, $RECRUITERS recruiters, $SIGNALS signals, ${SECONDS_PER_LOOP}s loops, $CONNECTIONS connections)"
  # BENCH_TRACE=<phase> (import, ingest, risk, rescore) samples the service with dotnet-trace for BENCH_TRACE_SECONDS
  # when the load generator enters that phase; the trace goes to bench/results/traces/.
  SCW_BENCH_STORE=$store dotnet "$LOAD" "http://127.0.0.1:$port" "$SERVICE_PID" "$SUPPLIERS" "$RECRUITERS" "$SIGNALS" "$SECONDS_PER_LOOP" "$CONNECTIONS" $ONLY \
    2> >(while IFS= read -r line; do
           echo "$line" >&2
           if [[ -n "${BENCH_GCDUMP:-}" && "$line" == "phase: ingest" ]]; then
             # BENCH_GCDUMP=1: the service's heap by type once every subject is active (after the import and the memory figure).
             mkdir -p "$ROOT/bench/results/traces"
             "${DOTNET_GCDUMP:-$HOME/.dotnet/tools/dotnet-gcdump}" collect -p "$SERVICE_PID" -o "$ROOT/bench/results/traces/$mode.gcdump" >/dev/null 2>&1 &
           fi
           if [[ -n "${BENCH_TRACE:-}" && "$line" == "phase: $BENCH_TRACE" ]]; then
             mkdir -p "$ROOT/bench/results/traces"
             "${DOTNET_TRACE:-$HOME/.dotnet/tools/dotnet-trace}" collect -p "$SERVICE_PID" --duration "00:00:${BENCH_TRACE_SECONDS:-08}" \
               -o "$ROOT/bench/results/traces/$mode-$BENCH_TRACE.nettrace" >/dev/null 2>&1 &
           fi
         done) \
    | tee "$WORK/$mode-$run.results"
  [[ -n "$counters" ]] && { kill "$counters" 2>/dev/null; wait "$counters" 2>/dev/null || true; }
  kill "$SERVICE_PID"; wait "$SERVICE_PID" 2>/dev/null || true; SERVICE_PID=""
}

# BENCH_MODES limits the run to some modes while profiling (the table then lacks the others' column).
MODES=${BENCH_MODES:-$([[ $SCENARIO == all ]] && echo "embedded postgresql" || echo embedded)}
if [[ $SCENARIO == all ]]; then
  "${PSQL[@]}" -d baseline -c "CREATE TABLE single_insert (id bigserial PRIMARY KEY, subject text NOT NULL, payload text NOT NULL, at timestamptz NOT NULL DEFAULT now())" \
    -c "CREATE TABLE copy_target (id bigint PRIMARY KEY, subject text NOT NULL, payload text NOT NULL)"
  cat >"$WORK/insert.sql" <<'SQL'
\set s random(1, 10000)
INSERT INTO single_insert (subject, payload) VALUES ('sup:' || :s, repeat('x', 400));
SQL
  chmod 644 "$WORK/insert.sql"
  mkdir -p "$WORK/copy" && chown postgres "$WORK/copy" # server-side COPY runs as the postgres user
  "${PSQL[@]}" -d baseline -c "COPY (SELECT g, 'sup:' || (g % 10000), repeat('x', 400) FROM generate_series(1, $COPY_ROWS) g) TO '$WORK/copy/copy.csv'"
fi
baselines() { # PostgreSQL's own rates, measured between the service runs of the same round (the machine is shared)
  local run=$1
  PGBENCH_TPS=$(pgbench -n -h 127.0.0.1 -p "$PGPORT" -U postgres -c "$CONNECTIONS" -j 2 -T "$SECONDS_PER_LOOP" -f "$WORK/insert.sql" baseline 2>/dev/null \
    | awk '/^tps/ {print $3; exit}')
  echo "RESULT|PostgreSQL single-row INSERT (pgbench)|$PGBENCH_TPS|tx/s|$CONNECTIONS connections, custom script" | tee "$WORK/baseline-$run.results"
  "${PSQL[@]}" -d baseline -c "TRUNCATE copy_target"
  START=$(date +%s.%N)
  "${PSQL[@]}" -d baseline -c "COPY copy_target FROM '$WORK/copy/copy.csv'"
  END=$(date +%s.%N)
  echo "RESULT|PostgreSQL COPY|$(python3 -c "print(round($COPY_ROWS/($END-$START)))")|rows/s|$COPY_ROWS rows of 400 bytes" | tee -a "$WORK/baseline-$run.results"
}

for run in $(seq 1 "$RUNS"); do
  # Every run starts from empty stores: a second import of the same data would only find duplicates. Each round runs
  # embedded, pgbench, PostgreSQL mode back to back, so the ratios compare figures of one window.
  if [[ " $MODES " == *" embedded "* ]]; then
    mkdir -p "$WORK/embedded-$run"
    run_service embedded "$run" "Sqlite|Data Source=$WORK/embedded-$run/scw.db" \
      Storage__Provider=Sqlite "Storage__ConnectionString=Data Source=$WORK/embedded-$run/scw.db"
  fi
  if [[ $SCENARIO == all ]]; then
    echo "== PostgreSQL baselines, run $run of $RUNS"
    baselines "$run"
  fi
  if [[ " $MODES " == *" postgresql "* ]]; then
    "${PSQL[@]}" -c "CREATE DATABASE scw$run"
    run_service postgresql "$run" "PostgreSql|Host=127.0.0.1;Port=$PGPORT;Username=postgres;Database=scw$run" Storage__Provider=PostgreSql \
      "Storage__ConnectionString=Host=127.0.0.1;Port=$PGPORT;Username=postgres;Database=scw$run;Maximum Pool Size=100"
  fi
done

mkdir -p "$ROOT/bench/results"
OUT="$ROOT/bench/results/$(date -u +%Y-%m-%d-%H%M)$([[ $SCENARIO == all ]] || echo "-$SCENARIO")$([[ $QUICK == 1 ]] && echo -quick || true).md"
SCENARIO=$SCENARIO SSE_CLIENTS=$SCW_BENCH_SSE_CLIENTS SSE_ROUNDS=$SCW_BENCH_SSE_ROUNDS RUNS=$RUNS LOAD_AT_START=$LOAD_AT_START SUPPLIERS=$SUPPLIERS RECRUITERS=$RECRUITERS SIGNALS=$SIGNALS SECONDS_PER_LOOP=$SECONDS_PER_LOOP CONNECTIONS=$CONNECTIONS \
  python3 - "$WORK" "$OUT" "$QUICK" <<'PY'
import sys, os, subprocess
work, out, quick = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
runs = int(os.environ["RUNS"])
def read(name):
    # Each figure's median over the runs; with several runs the note gives the range (notes of the median run).
    per_run = []
    for run in range(1, runs + 1):
        path = os.path.join(work, f"{name}-{run}.results")
        rows = {}
        if os.path.exists(path):
            for line in open(path):
                if line.startswith("RESULT|"):
                    _, fig, val, unit, note = line.rstrip("\n").split("|", 4)
                    rows[fig] = (float(val) if val else float("nan"), unit, note)
        per_run.append(rows)
    merged = {}
    for fig in {f for rows in per_run for f in rows}:
        values = sorted((rows[fig] for rows in per_run if fig in rows), key=lambda r: r[0])
        v, unit, note = values[(len(values) - 1) // 2]
        if len(values) > 1:
            note = f"median of {len(values)}, range {values[0][0]:,.2f}–{values[-1][0]:,.2f}" + (f"; median run: {note}" if note else "")
        merged[fig] = (v, unit, note)
    return merged
emb, pg, base = read("embedded"), read("postgresql"), read("baseline")
# Issue 13's targets (PostgreSQL mode unless said; bulk import ≥ 20,000 signals/s embedded).
targets = {
    "ingest, 1,000 prior signals ÷ 10": "≥ 0.8",
    "bulk import": "≥ 40,000 signals/s (embedded ≥ 20,000)",
    "bulk import, time for 1,000,000 signals": "≤ 25 s",
    "derived-view lag p99": "≤ 1,000 ms",
    "GET risk ÷ authenticated no-op": "≥ 0.75 (at the full data size)",
    "authenticated no-op ÷ /health/live": "≥ 0.5",
    "live heap per active subject": "≤ 20 KB (at ~100 signals each)",
    "memory per 10,000 active subjects": "≤ 300 MB",
    "re-score": "≥ 20,000 subjects/s",
    "history of a 1,000-signal subject": "≤ 100 ms",
}
# Issue 15's (one silo, embedded unless BENCH_MODES says otherwise).
scenario, clients = os.environ["SCENARIO"], int(os.environ["SSE_CLIENTS"])
sse_figures = [f"SSE ack -> event p99, {clients:,} clients", f"SSE ingest, {clients:,} clients ÷ none"]
targets[sse_figures[0]] = "≤ 1,000 ms"
targets[sse_figures[1]] = "≥ 0.9"
def cell(rows, fig):
    if fig not in rows: return "–"
    v, unit, note = rows[fig]
    return f"{v:,.2f} {unit}" + (f" ({note})" if note else "")
lines = []
machine = subprocess.run("echo \"$(nproc) cores, $(free -m | awk '/Mem:/ {print $2}') MB RAM, load average $(cut -d' ' -f1-3 /proc/loadavg) at the end (${LOAD_AT_START} at the start), $(uname -sr), $(dotnet --version) SDK\"", shell=True, capture_output=True, text=True).stdout.strip()
lines.append(f"# SupplyChainWatch benchmark{'' if scenario == 'all' else f', scenario {scenario}'}{' (--quick)' if quick else ''}{f', median of {runs} runs' if runs > 1 else ''}\n")
lines.append(f"Machine: {machine}\n")
if scenario == "sse":
    lines.append(f"Scenario: {clients:,} SSE clients on GET /api/v1/events?types=risk.changed (one connection each), {os.environ['SSE_ROUNDS']} rounds of "
                 f"{os.environ['SECONDS_PER_LOOP']} s single-audit ingest at {os.environ['CONNECTIONS']} connections with them and with none, alternating "
                 "(none→with, with→none, …); each audit to a new supplier, so each 201 has one risk.changed event, timed from the 201 at every client. "
                 "The load generator (the 1,000 readers too) shares the machine with the service.\n")
elif scenario == "history":
    lines.append("Scenario: one supplier with 1,000 findings (two audits of 500), every page of GET …/risk/history read 33 times; the first 3 are not counted.\n")
else:
    lines.append(f"Data set: {os.environ['SUPPLIERS']} suppliers, {os.environ['RECRUITERS']} recruiters, {os.environ['SIGNALS']} imported signals; "
                 f"{os.environ['SECONDS_PER_LOOP']} s loops at {os.environ['CONNECTIONS']} connections.\n")
lines.append("The service under test runs with RateLimiting:PermitLimit raised (the per-client limit would otherwise answer 429 to the load generator).\n")
lines.append("| figure | embedded (SQLite) | PostgreSQL | target |")
lines.append("|---|---|---|---|")
# single ingest ÷ pgbench: per round (pgbench ran between that round's two service runs), then the median.
def ingest_ratio(name):
    ratios = []
    for run in range(1, runs + 1):
        figures = {}
        for kind in (name, "baseline"):
            path = os.path.join(work, f"{kind}-{run}.results")
            if os.path.exists(path):
                for line in open(path):
                    if line.startswith("RESULT|"):
                        _, fig, val, _, _ = line.rstrip("\n").split("|", 4)
                        figures[fig] = float(val) if val else float("nan")
        if "single ingest" in figures and figures.get("PostgreSQL single-row INSERT (pgbench)"):
            ratios.append(figures["single ingest"] / figures["PostgreSQL single-row INSERT (pgbench)"])
    if not ratios: return "–"
    ratios.sort()
    median = ratios[(len(ratios) - 1) // 2]
    return f"{median:.2f}" + (f" (median of {len(ratios)}, range {ratios[0]:.2f}–{ratios[-1]:.2f})" if len(ratios) > 1 else "")
if scenario == "all":
    lines.append(f"| single ingest ÷ pgbench single-row INSERT, {os.environ['CONNECTIONS']} connections | {ingest_ratio('embedded')} | {ingest_ratio('postgresql')} | ≥ 1.0 |")
figures = {"sse": sse_figures, "history": ["history of a 1,000-signal subject", "history of a 1,000-signal subject p95"]}.get(scenario) or ["ingest, 1,000 prior signals ÷ 10", "bulk import", "bulk import, time for 1,000,000 signals", "derived-view lag p99",
            "GET risk ÷ authenticated no-op", "authenticated no-op ÷ /health/live", "live heap per active subject", "memory per 10,000 active subjects", "re-score",
            "single ingest", "single ingest p50", "single ingest p99", "GET /health/live", "authenticated no-op", "GET risk", "GET risk p99", "GET risk / live", "history of a 1,000-signal subject"]
for fig in figures:
    lines.append(f"| {fig} | {cell(emb, fig)} | {cell(pg, fig)} | {targets.get(fig, '')} |")
for fig, (v, unit, note) in base.items():
    lines.append(f"| {fig} | | {v:,.0f} {unit} ({note}) | baseline |")
text = "\n".join(lines) + "\n"
open(out, "w").write(text)
print(text)
print("written to", out)
PY
