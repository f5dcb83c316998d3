# Sourced by the bench scripts: starts ../shared/bench/peers.sh's servers in $W/peers once no earlier run holds
# their ports. The caller sets W and peers and its own EXIT trap (which stops them) before calling start_peers.
start_peers() {
  bash "$peers" stop "$W/peers" >/dev/null 2>&1 || true
  local port i
  for port in 9001 9101 9102 9103 9104 9105; do
    for i in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null || break; sleep 0.1; done
  done
  bash "$peers" start "$W/peers" >/dev/null || { echo "peers did not start: are their ports (9001, 9101-9105) taken by another run?"; exit 1; }
}
