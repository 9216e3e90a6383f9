#!/usr/bin/env bash
# Runs the issue-14 probe (bench/SupplyChainWatch.Probe.Hostile) against one checkout of the service, started as the
# README's run command does (`dotnet run --project src/SupplyChainWatch.Api`, from that checkout, Release build, on its
# own ports), with a fresh HOME whose user secrets `dotnet user-jwts` fills, and a fresh ./data store. Builds the probe and
# the checkout's API in Release first when they are not built yet.
#
#   bench/hostile.sh <checkout> <label> <port-offset> <results.jsonl>
#
# Phases: main (all findings; the store grows), restart (finding 1 after a restart), damaged (finding 9: stop, overwrite
# four pages in the middle of ./data/supplychainwatch.db, start again). Every service it starts is stopped by its pid.
set -euo pipefail
checkout=$(cd "$1" && pwd); label=$2; offset=$3; results=$4
probe_dir=$(cd "$(dirname "$0")/SupplyChainWatch.Probe.Hostile" && pwd)
probe="$probe_dir/bin/Release/net10.0/SupplyChainWatch.Probe.Hostile"
port=$((5190 + offset)); silo=$((11190 + offset)); gateway=$((30190 + offset)); receiver=$((5290 + offset))
[ -x "$probe" ] || dotnet build "$probe_dir" -c Release -v q -nologo
[ -f "$checkout/src/SupplyChainWatch.Api/bin/Release/net10.0/SupplyChainWatch.Api.dll" ] || dotnet build "$checkout/src/SupplyChainWatch.Api" -c Release -v q -nologo
work=/tmp/hostile-$label; rm -rf "$work"; mkdir -p "$work/home"
export HOME=$work/home DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
: > "$results"
cd "$checkout"
rm -rf ./data
token=$(dotnet user-jwts create --project src/SupplyChainWatch.Api --output token --role admin --role compliance \
  --role auditor --role grievance-handler --role recruitment-monitor --role ngo --role case-officer)
secrets=$HOME/.microsoft/usersecrets/supplychainwatch-api-dev/secrets.json
tag=$label$(date +%H%M%S)

run_pid=""; server_pid=""
start() { # $1: log file
  Cluster__SiloPort=$silo Cluster__GatewayPort=$gateway \
  Webhooks__AllowHttpHosts__0=127.0.0.1 Webhooks__AllowPrivateHosts__0=127.0.0.1 \
    dotnet run --project src/SupplyChainWatch.Api -c Release --no-build -- --urls "http://127.0.0.1:$port" > "$1" 2>&1 &
  run_pid=$!; server_pid=""
}
wait_live() {
  for _ in $(seq 1 240); do
    if curl -sf "http://127.0.0.1:$port/health/live" > /dev/null; then server_pid=$(pgrep -P "$run_pid" | head -1); return 0; fi
    kill -0 "$run_pid" 2> /dev/null || return 1
    sleep 0.5
  done
  return 1
}
stop() {
  [ -n "$server_pid" ] && kill -TERM "$server_pid" 2> /dev/null || true
  [ -z "$server_pid" ] && kill -TERM "$run_pid" 2> /dev/null || true
  for _ in $(seq 1 60); do kill -0 "$run_pid" 2> /dev/null || break; sleep 0.5; done
  kill -KILL "$run_pid" 2> /dev/null || true; [ -n "$server_pid" ] && kill -KILL "$server_pid" 2> /dev/null || true
  wait "$run_pid" 2> /dev/null || true
}
trap stop EXIT
common=(--base-url "http://127.0.0.1:$port" --user-secrets "$secrets" --token "$token" --tag "$tag" --results "$results"
  --silo-port "$silo" --gateway-port "$gateway" --receiver-port "$receiver")

start "$work/service-1.log"; wait_live
"$probe" run "${common[@]}" --phase main --server-pid "$server_pid"
stop
start "$work/service-2.log"; wait_live
"$probe" run "${common[@]}" --phase restart --server-pid "$server_pid"
stop
"$probe" corrupt --db ./data/supplychainwatch.db
start "$work/service-3.log"
"$probe" run "${common[@]}" --phase damaged --server-pid "$run_pid"
stop
trap - EXIT
echo "# service output on the damaged store (last lines):"
grep -v '^\s*$' "$work/service-3.log" | tail -6
