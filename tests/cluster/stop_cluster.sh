#!/usr/bin/env bash
# Stops every daemon that start_cluster.sh started under STATE_DIR (by the pids it recorded,
# never by name), newest first, waiting for each to exit. Safe after a partial or failed
# start, and safe to run twice.
# Usage: tests/cluster/stop_cluster.sh STATE_DIR
set -uo pipefail

STATE=${1:?usage: stop_cluster.sh STATE_DIR}
RUN="$STATE/run"
[ -d "$RUN" ] || exit 0

alive() { kill -0 "$1" 2>/dev/null; }

stop_pid() { # stop_pid NAME PID
  local name=$1 pid=$2 i
  [[ "$pid" =~ ^[0-9]+$ ]] && alive "$pid" || return 0
  kill -TERM "$pid" 2>/dev/null
  for ((i = 0; i < 60; i++)); do
    alive "$pid" || return 0
    sleep 0.25
  done
  echo "stop_cluster: $name ($pid) ignored SIGTERM; sending SIGKILL" >&2
  kill -KILL "$pid" 2>/dev/null
}

# cancel jobs still queued or running, and give their step daemons time to end them
if [ -f "$STATE/slurm.conf" ] && [ -f "$RUN/slurmctld.pid" ] && command -v scancel >/dev/null 2>&1; then
  export SLURM_CONF="$STATE/slurm.conf"
  timeout 10 scancel --quiet --user "$(id -un)" 2>/dev/null || true
  for ((n = 0; n < 40; n++)); do
    [ -z "$(timeout 5 squeue -h -o %i 2>/dev/null)" ] && break
    sleep 0.5
  done
fi

for name in slurmd slurmctld slurmdbd mariadbd munged; do
  pidfile="$RUN/$name.pid"
  [ -f "$pidfile" ] && stop_pid "$name" "$(cat "$pidfile")"
done
# mariadbd writes its own pid file late: also stop the process we launched
[ -f "$RUN/mariadbd.launcher.pid" ] && stop_pid mariadbd "$(cat "$RUN/mariadbd.launcher.pid")"
# clusters started by an earlier version linked /etc/slurm/slurm.conf to their config
if [ -f "$RUN/etc_link" ]; then
  link=$(cat "$RUN/etc_link")
  [ "$(readlink "$link" 2>/dev/null)" = "$STATE/slurm.conf" ] && rm -f "$link"
  rm -f "$RUN/etc_link"
fi

exit 0
