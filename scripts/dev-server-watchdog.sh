#!/usr/bin/env bash
# Runs the Temporal dev server of `b1hub up` and ends it when the hub is gone.
#
#   bash scripts/dev-server-watchdog.sh <pid file> <command…>
#   stdin: a pipe whose write end only the hub process holds (src/hub/dev-server.ts)
#
# Why a watchdog: `up` starts the dev server in its own process group, so that a Ctrl-C in the
# terminal reaches only the hub, which stops the worker before the server it talks to. A detached
# server outlives a hub that dies without running its shutdown (SIGKILL, the OOM killer, a crash in
# native code) and would hold its ports and the SQLite file forever. The kernel closes the hub's end
# of our stdin when the hub process ends, whatever the reason, so end-of-file on stdin means exactly
# "the hub is gone": unlike polling the hub's pid it cannot be fooled by a reused pid, and it needs
# no cooperation from the hub. SIGTERM, SIGINT or SIGHUP to this script stop the server as well
# (that is how the hub stops it); the server's pid goes to <pid file> so that a later `up` can still
# find a server whose watchdog was killed too.
set -u

pid_file="$1"
shift

"$@" </dev/null &
server=$!
printf '%s\n' "$server" >"$pid_file"

stop_server() {
  trap '' TERM INT HUP
  kill -TERM "$server" 2>/dev/null
  # The same grace the hub gives: 10 s to flush SQLite and close, then hard.
  for _ in $(seq 1 100); do
    kill -0 "$server" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$server" 2>/dev/null
  wait "$server" 2>/dev/null
  [[ "$(cat "$pid_file" 2>/dev/null)" == "$server" ]] && rm -f "$pid_file"
  exit 0
}
trap stop_server TERM INT HUP

# The hub never writes to the pipe: `read` returns only on its 1 s timeout (status > 128), on a
# signal (the trap runs), or at end-of-file (status 1): the hub has exited.
while kill -0 "$server" 2>/dev/null; do
  read -r -t 1 _ && continue
  (($? > 128)) && continue
  stop_server
done
wait "$server"
