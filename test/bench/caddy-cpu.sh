#!/bin/bash
# Caddy's CPU time per request (utime+stime from /proc/<pid>/stat over one wrk run ÷ its requests),
# the measure the README's Caddy speed notes use: robust to other load on a shared machine, where
# requests/s are not. Caddy runs pinned to CPU 0 with GOMAXPROCS=1, wrk on CPU 1.
#   test/bench/caddy-cpu.sh <Caddyfile> <seconds> <port>:<METHOD>:<origin>...
# OPTIONS probes carry Access-Control-Request-Method: PUT. Prints the status of one probe request,
# µs of CPU a request and requests/s for each probe.
cfg=$1; secs=$2; shift 2
dir=$(dirname "$cfg")
export HOME=$dir/home XDG_DATA_HOME=$dir/xdg XDG_CONFIG_HOME=$dir/xdgc
GOMAXPROCS=1 taskset -c 0 caddy run --config "$cfg" --adapter caddyfile >$dir/caddy.log 2>&1 &
pid=$!
for i in $(seq 100); do curl -s -o /dev/null http://127.0.0.1:${1%%:*}/ && break; sleep 0.2; done
tck=$(getconf CLK_TCK)
cpu() { awk '{print $14+$15}' /proc/$pid/stat; }
for p in "$@"; do
  port=${p%%:*}; rest=${p#*:}; method=${rest%%:*}; origin=${rest#*:}
  lua=$dir/p.lua
  { echo "wrk.method = \"$method\""; echo "wrk.headers[\"Origin\"] = \"$origin\"";
    [ "$method" = OPTIONS ] && echo 'wrk.headers["Access-Control-Request-Method"] = "PUT"'; } > $lua
  status=$(curl -s -o /dev/null -w '%{http_code}' -X $method -H "Origin: $origin" -H "Access-Control-Request-Method: PUT" http://127.0.0.1:$port/)
  a=$(cpu)
  out=$(taskset -c 1 wrk -t1 -c50 -d${secs}s -s $lua http://127.0.0.1:$port/)
  b=$(cpu)
  n=$(echo "$out" | awk '/requests in/{print $1}')
  rps=$(echo "$out" | awk '/Requests\/sec/{print $2}')
  echo "$p status=$status us/req=$(echo "scale=2; ($b-$a)*1000000/$tck/$n" | bc) rps=$rps"
done
kill $pid; wait $pid 2>/dev/null
