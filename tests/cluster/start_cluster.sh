#!/usr/bin/env bash
# Starts a throw-away single-node SLURM cluster with accounting, all under one state folder:
#   munged -> mariadbd -> slurmdbd -> slurmctld -> slurmd
# Usage: tests/cluster/start_cluster.sh STATE_DIR
# Then: source STATE_DIR/env.sh (SLURM_CONF for sbatch, sacct, squeue; an srun wrapper on
# PATH) and stop everything with tests/cluster/stop_cluster.sh STATE_DIR (also after a
# failed start).
#
# Installs slurm-wlm, slurmdbd, mariadb-server and munge through apt-get when they are
# missing and we are root; exits 3 with one line on stderr when that is impossible.
# Configs, key, database and logs stay in STATE_DIR; outside it only munged's default socket
# in /run/munge is used (Slurm's clients insist on it). Nothing under /etc is written, so
# two clusters on different ports can run side by side.
# Ports are taken from the environment (BIGMED_SLURM_PORT_BASE, default 16817: ctld,
# +1 slurmd, +2 slurmdbd, +3 mariadb) so that a cluster already on this machine is untouched.
set -euo pipefail

STATE=${1:?usage: start_cluster.sh STATE_DIR}
mkdir -p "$STATE"
STATE=$(cd "$STATE" && pwd)
BASE=${BIGMED_SLURM_PORT_BASE:-16817}
CTLD_PORT=$BASE SLURMD_PORT=$((BASE + 1)) DBD_PORT=$((BASE + 2)) DB_PORT=$((BASE + 3))
CLUSTER=bigmedtest
ACCOUNT=bigmed
PARTITION=debug

need=(slurmctld slurmd slurmdbd sacct sacctmgr sbatch mariadbd mariadb-install-db munged)
have_all() { for t in "${need[@]}"; do command -v "$t" >/dev/null 2>&1 || return 1; done; }
export PATH="$PATH:/usr/sbin:/sbin"

if ! have_all; then
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "slurm, slurmdbd, mariadb and munge are not installed and installing them needs root and apt-get" >&2
    exit 3
  fi
  echo "start_cluster: installing slurm-wlm slurmdbd mariadb-server munge with apt-get" >&2
  export DEBIAN_FRONTEND=noninteractive
  # keep the packages' init scripts from starting system-wide daemons (we start our own)
  policy=/usr/sbin/policy-rc.d made_policy=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy" && made_policy=1
  fi
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends slurm-wlm slurmdbd mariadb-server munge >/dev/null ||
    { [ "$made_policy" = 1 ] && rm -f "$policy"; exit 1; }
  [ "$made_policy" = 1 ] && rm -f "$policy"
  have_all || { echo "apt-get install did not provide: ${need[*]}" >&2; exit 3; }
fi

for port in "$CTLD_PORT" "$SLURMD_PORT" "$DBD_PORT" "$DB_PORT"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "start_cluster: port $port is in use; set BIGMED_SLURM_PORT_BASE" >&2
    exit 1
  fi
done

mkdir -p "$STATE"/{munge,db,ctld,spool,log,run}
chmod 700 "$STATE/munge"

wait_for() { # wait_for SECONDS DESCRIPTION COMMAND...
  local limit=$1 what=$2 deadline=$((SECONDS + $1))
  shift 2
  while ((SECONDS < deadline)); do
    timeout 10 "$@" >/dev/null 2>&1 && return 0
    sleep 0.25
  done
  echo "start_cluster: $what did not come up within ${limit}s; logs in $STATE/log" >&2
  exit 1
}

# --- munge: Slurm's clients (sacctmgr, sbatch) talk to munged on its default socket only,
# so reuse a munged already answering there, or start our own with a fresh key
MUNGE_SOCK=/run/munge/munge.socket.2
if ! (munge -n | unmunge) >/dev/null 2>&1; then
  mkdir -p /run/munge
  dd if=/dev/urandom of="$STATE/munge/munge.key" bs=1024 count=1 status=none
  chmod 400 "$STATE/munge/munge.key"
  munged --force --key-file="$STATE/munge/munge.key" --socket="$MUNGE_SOCK" \
    --pid-file="$STATE/run/munged.pid" --log-file="$STATE/log/munged.log" \
    --seed-file="$STATE/munge/munged.seed" --num-threads=10
  wait_for 10 munged bash -c "munge -n | unmunge"
fi

# --- mariadb: a private data directory on 127.0.0.1:$DB_PORT
mariadb-install-db --no-defaults --datadir="$STATE/db/data" --user=root \
  --auth-root-authentication-method=socket >"$STATE/log/mariadb-install.log" 2>&1
nohup mariadbd --no-defaults --datadir="$STATE/db/data" --user=root \
  --socket="$STATE/db/mysql.sock" --port="$DB_PORT" --bind-address=127.0.0.1 \
  --pid-file="$STATE/run/mariadbd.pid" --log-error="$STATE/log/mariadbd.log" \
  --innodb-buffer-pool-size=64M --skip-name-resolve >/dev/null 2>&1 &
echo $! >"$STATE/run/mariadbd.launcher.pid"
wait_for 60 mariadbd mariadb --no-defaults --socket="$STATE/db/mysql.sock" -uroot -e "select 1"
DB_PASS=$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
mariadb --no-defaults --socket="$STATE/db/mysql.sock" -uroot <<SQL
CREATE USER 'slurm'@'127.0.0.1' IDENTIFIED BY '$DB_PASS';
GRANT ALL ON slurm_acct_db.* TO 'slurm'@'127.0.0.1';
FLUSH PRIVILEGES;
SQL

HOST=$(hostname -s)
CPUS=$(nproc)
# leave room for the daemons and snakemake itself
MEM_MB=$(awk '/^MemTotal/ {print int($2 / 1024 * 0.85)}' /proc/meminfo)

cat >"$STATE/slurmdbd.conf" <<EOF
AuthType=auth/munge
DbdHost=localhost
DbdAddr=127.0.0.1
DbdPort=$DBD_PORT
SlurmUser=root
LogFile=$STATE/log/slurmdbd.log
PidFile=$STATE/run/slurmdbd.pid
StorageType=accounting_storage/mysql
StorageHost=127.0.0.1
StoragePort=$DB_PORT
StorageUser=slurm
StoragePass=$DB_PASS
StorageLoc=slurm_acct_db
EOF
chmod 600 "$STATE/slurmdbd.conf"

cat >"$STATE/slurm.conf" <<EOF
ClusterName=$CLUSTER
SlurmctldHost=$HOST(127.0.0.1)
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
AuthType=auth/munge
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$STATE/ctld
SlurmdSpoolDir=$STATE/spool
SlurmctldPidFile=$STATE/run/slurmctld.pid
SlurmdPidFile=$STATE/run/slurmd.pid
SlurmctldLogFile=$STATE/log/slurmctld.log
SlurmdLogFile=$STATE/log/slurmd.log
# no cgroups here (containers, CI): plain process tracking, no task binding
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
SwitchType=switch/none
ReturnToService=2
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
JobAcctGatherType=jobacct_gather/linux
JobAcctGatherFrequency=30
AccountingStorageType=accounting_storage/slurmdbd
AccountingStorageHost=127.0.0.1
AccountingStoragePort=$DBD_PORT
AccountingStorageEnforce=associations
# short scheduling intervals: test jobs last seconds
SchedulerParameters=sched_interval=2,bf_interval=2
MessageTimeout=30
InactiveLimit=0
KillWait=5
MinJobAge=300
NodeName=$HOST NodeAddr=127.0.0.1 CPUs=$CPUS RealMemory=$MEM_MB State=UNKNOWN
PartitionName=$PARTITION Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
EOF

export SLURM_CONF="$STATE/slurm.conf"
# The plugin's job step (snakemake-executor-plugin-slurm-jobstep 0.6.1) drops every SLURM_*
# variable, SLURM_CONF included, before its inner srun, which would then look for
# /etc/slurm/slurm.conf. Rather than writing there, env.sh puts an srun on PATH that
# knows our config (jobs get PATH through sbatch --export=ALL).
mkdir -p "$STATE/bin"
printf '#!/bin/sh\nSLURM_CONF=%s exec %s "$@"\n' "$STATE/slurm.conf" "$(command -v srun)" \
  >"$STATE/bin/srun"
chmod 755 "$STATE/bin/srun"

# --- slurmdbd, then the cluster, account and user in the accounting database
slurmdbd
wait_for 60 slurmdbd sacctmgr -n list cluster
sacctmgr -i add cluster "$CLUSTER" >/dev/null
sacctmgr -i add account "$ACCOUNT" cluster="$CLUSTER" description=bigmed-tests >/dev/null
sacctmgr -i add user "$(id -un)" account="$ACCOUNT" cluster="$CLUSTER" >/dev/null

# --- controller and node daemon
slurmctld
wait_for 60 slurmctld scontrol ping
slurmd
wait_for 60 "node $HOST" bash -c "sinfo -h -N -o %t -n '$HOST' | grep -qE '^(idle|mix|alloc)'"

cat >"$STATE/env.sh" <<EOF
export SLURM_CONF=$STATE/slurm.conf
export PATH=$STATE/bin:\$PATH
export BIGMED_SLURM_ACCOUNT=$ACCOUNT
export BIGMED_SLURM_PARTITION=$PARTITION
EOF
echo "start_cluster: cluster $CLUSTER up (node $HOST, $CPUS CPUs, $MEM_MB MB);" \
  "source $STATE/env.sh" >&2
