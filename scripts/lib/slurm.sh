# Starts a throwaway one-node Slurm cluster for the tests (Debian's slurm-wlm 22.05 + munge), on this machine only.
# Everything lives in a temporary folder: a private munged (own key, socket, pid, log), slurm.conf, state, spool,
# logs and pid files. Nothing is started as a system service and /etc/munge is never touched. Source this file, then:
#   slurm_install_if_missing → apt-get installs slurm-wlm and munge when slurmctld/munged are absent
#   slurm_start              → exports SLURM_CONF (clients: sbatch, squeue, scontrol, scancel, sinfo) and
#                              PARITY_SLURM_DIR (the folder); returns once sinfo reports the node idle
#   slurm_stop               → cancels leftover jobs, stops slurmd, slurmctld and munged, removes the folder
#                              (safe to call twice, or without slurm_start)
# Must run as root (slurmd launches jobs as the submitting user; SlurmUser=root). No slurmdbd: sacct does not work;
# query state with `squeue --states=all` / `scontrol show job -o` (finished jobs stay visible ~30-50 s: MinJobAge=30)
# or read the job-completion log $PARITY_SLURM_DIR/jobcomp.log (jobcomp/filetxt, one line per finished job/task).
# A still-PENDING array task cancelled with scancel JOB_N leaves no record anywhere (not in squeue nor jobcomp.log).

slurm_install_if_missing() {
    command -v slurmctld >/dev/null 2>&1 && command -v slurmd >/dev/null 2>&1 &&
        command -v munged >/dev/null 2>&1 && return 0
    local sudo=()
    [ "$(id -u)" = 0 ] || sudo=(sudo)
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurm-wlm munge >/dev/null ||
        { echo "slurm_install_if_missing: apt-get install slurm-wlm munge failed" >&2; return 1; }
}

slurm_free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

slurm_print_logs() {
    local f
    for f in "$PARITY_SLURM_DIR"/munged.log "$PARITY_SLURM_DIR"/log/*.log; do
        [ -f "$f" ] || continue
        echo "==== $f" >&2
        tail -n 40 "$f" >&2
    done
}

slurm_start() {
    [ "$(id -u)" = 0 ] || { echo "slurm_start: must run as root" >&2; return 1; }
    command -v slurmctld >/dev/null 2>&1 && command -v munged >/dev/null 2>&1 ||
        { echo "slurm_start: slurmctld/munged missing (run slurm_install_if_missing)" >&2; return 1; }
    local dir host cpus mem_kb mem_mb ctld_port slurmd_port i state
    dir=$(mktemp -d /tmp/parity-slurm.XXXXXX) || return 1
    chmod 755 "$dir"   # munged requires the socket directory (and its parents) to be searchable by all
    export PARITY_SLURM_DIR=$dir
    mkdir -p "$dir/state" "$dir/spool" "$dir/log" "$dir/run"

    # Private munged: its own key, socket, pid, seed and log, all in $dir (running as root is fine there).
    dd if=/dev/urandom of="$dir/munge.key" bs=1024 count=1 status=none && chmod 400 "$dir/munge.key"
    munged --socket="$dir/munge.socket" --key-file="$dir/munge.key" --pid-file="$dir/munged.pid" \
        --log-file="$dir/munged.log" --seed-file="$dir/munged.seed" >"$dir/munged.out" 2>&1 ||
        { cat "$dir/munged.out" >&2; slurm_print_logs; slurm_stop; return 1; }

    host=$(hostname -s)
    cpus=$(nproc)
    mem_kb=$(awk '/^MemTotal:/ {print $2}' /proc/meminfo)
    mem_mb=$(( mem_kb / 1024 ))
    mem_mb=$(( mem_mb - (mem_mb / 10 > 512 ? mem_mb / 10 : 512) ))   # margin: 10 %, at least 512 MiB
    [ "$mem_mb" -gt 100 ] || mem_mb=100
    ctld_port=$(slurm_free_port)
    slurmd_port=$(slurm_free_port)
    [ "$slurmd_port" != "$ctld_port" ] || slurmd_port=$(slurm_free_port)

    cat >"$dir/slurm.conf" <<EOF
# Throwaway one-node cluster written by scripts/lib/slurm.sh
ClusterName=parity
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge.socket
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/run/slurmctld.pid
SlurmdPidFile=$dir/run/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$dir/jobcomp.log
MpiDefault=none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0,sched_min_interval=0
ReturnToService=2
MinJobAge=30
KillWait=5
InactiveLimit=0
Waittime=0
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem_mb State=UNKNOWN
PartitionName=parity Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
    export SLURM_CONF=$dir/slurm.conf

    # The daemons inherit SLURM_CONF, so their slurmstepd processes carry it too (slurm_stop uses that to find them).
    slurmctld -f "$SLURM_CONF" -c >"$dir/log/slurmctld.out" 2>&1 ||
        { cat "$dir/log/slurmctld.out" >&2; slurm_print_logs; slurm_stop; return 1; }
    slurmd -f "$SLURM_CONF" -N "$host" >"$dir/log/slurmd.out" 2>&1 ||
        { cat "$dir/log/slurmd.out" >&2; slurm_print_logs; slurm_stop; return 1; }

    # Up to 60 s for the node to come up idle. Callers run under `set -e`: sinfo fails (after its own ~9 s of
    # retries) while slurmctld is not listening yet, which must not end the script; a daemon that died is reported
    # with its log at once rather than waited for.
    local deadline=$((SECONDS + 60)) daemon pid
    while [ "$SECONDS" -lt "$deadline" ]; do
        state=$(timeout 10 sinfo -h -o %T 2>/dev/null || true)
        [ "$state" = idle ] && return 0
        for daemon in slurmctld slurmd; do
            pid=$(cat "$dir/run/$daemon.pid" 2>/dev/null || true)
            if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
                echo "slurm_start: $daemon (pid $pid) exited while starting" >&2
                slurm_print_logs
                slurm_stop
                return 1
            fi
        done
        sleep 0.5
    done
    echo "slurm_start: node not idle after 60 s (sinfo: '$state')" >&2
    slurm_print_logs
    slurm_stop
    return 1
}

# Sends TERM to the processes whose pids are in the files given, then waits up to 10 s for them to exit (then KILL).
slurm_kill_pidfiles() {
    local f pid pids=() i
    for f in "$@"; do
        [ -f "$f" ] || continue
        pid=$(cat "$f" 2>/dev/null || true)
        [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && kill "$pid" 2>/dev/null && pids+=("$pid")
    done
    [ ${#pids[@]} -gt 0 ] || return 0
    for i in $(seq 1 100); do
        kill -0 "${pids[@]}" 2>/dev/null || return 0   # true while at least one is still alive
        sleep 0.1
    done
    kill -9 "${pids[@]}" 2>/dev/null || true
    sleep 0.2
}

slurm_stop() {
    [ -n "${PARITY_SLURM_DIR:-}" ] && [ -d "$PARITY_SLURM_DIR" ] || return 0
    local dir=$PARITY_SLURM_DIR conf=$PARITY_SLURM_DIR/slurm.conf i pid
    # Cancel leftover jobs first: slurmstepd (and the job's processes) outlive slurmd otherwise.
    if [ -f "$dir/run/slurmctld.pid" ] && kill -0 "$(cat "$dir/run/slurmctld.pid" 2>/dev/null)" 2>/dev/null; then
        SLURM_CONF=$conf scancel --quiet --full --partition=parity >/dev/null 2>&1 || true
        for i in $(seq 1 40); do
            [ -z "$(SLURM_CONF=$conf squeue -h -t running,completing,configuring -o %i 2>/dev/null)" ] && break
            sleep 0.25
        done
    fi
    slurm_kill_pidfiles "$dir/run/slurmd.pid" "$dir/run/slurmctld.pid"
    # Any slurmstepd still left from this cluster (forked by our slurmd, so it carries our SLURM_CONF): kill its tree.
    for pid in $(pgrep -x slurmstepd 2>/dev/null); do
        tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null | grep -qx "SLURM_CONF=$conf" || continue
        pkill -9 -P "$pid" 2>/dev/null || true
        kill -9 "$pid" 2>/dev/null || true
    done
    slurm_kill_pidfiles "$dir/munged.pid"
    rm -rf "$dir"
    [ "${SLURM_CONF:-}" = "$conf" ] && unset SLURM_CONF
    unset PARITY_SLURM_DIR
    return 0
}
