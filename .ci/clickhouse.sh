#!/usr/bin/env bash
# Sourced by .ci/run: installs ClickHouse from Debian's packages when it is
# missing, starts a private server (loopback only, its own temporary data
# folder, free ports), waits for it (bounded), exports POLIS_CLICKHOUSE_URL
# for the tests and stops the server when the shell exits.
# Debian bookworm ships clickhouse-server 18.16: polis' SQL keeps to it.

clickhouse_start() {
  if ! command -v clickhouse-server >/dev/null 2>&1; then
    local sudo=''
    [ "$(id -u)" = 0 ] || sudo='sudo'
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq clickhouse-server clickhouse-client >/dev/null
  fi
  CH_DIR="$(mktemp -d -t polis-clickhouse.XXXXXX)"
  local ports
  ports="$(node -e "const n=require('net');const p=[];let k=0;const g=()=>{const s=n.createServer().listen(0,'127.0.0.1',()=>{p.push(s.address().port);s.close(()=>{if(++k<2)g();else console.log(p.join(' '))})})};g()")"
  CH_HTTP="${ports% *}"
  local tcp="${ports#* }"
  mkdir -p "$CH_DIR/data" "$CH_DIR/tmp" "$CH_DIR/user_files" "$CH_DIR/format_schemas"
  cat > "$CH_DIR/config.xml" <<XML
<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>$CH_DIR/server.log</log><errorlog>$CH_DIR/error.log</errorlog></logger>
  <http_port>$CH_HTTP</http_port>
  <tcp_port>$tcp</tcp_port>
  <listen_host>127.0.0.1</listen_host>
  <path>$CH_DIR/data/</path>
  <tmp_path>$CH_DIR/tmp/</tmp_path>
  <user_files_path>$CH_DIR/user_files/</user_files_path>
  <format_schema_path>$CH_DIR/format_schemas/</format_schema_path>
  <users_config>/etc/clickhouse-server/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <mark_cache_size>268435456</mark_cache_size>
</yandex>
XML
  clickhouse-server --config-file="$CH_DIR/config.xml" >"$CH_DIR/stdout.log" 2>&1 &
  CH_PID=$!
  trap clickhouse_stop EXIT
  local i
  for i in $(seq 1 60); do
    if curl -fsS "http://127.0.0.1:$CH_HTTP/ping" >/dev/null 2>&1; then
      export POLIS_CLICKHOUSE_URL="clickhouse://127.0.0.1:$CH_HTTP"
      echo "ClickHouse $(curl -fsS "http://127.0.0.1:$CH_HTTP/?query=SELECT%20version()") on 127.0.0.1:$CH_HTTP (data in $CH_DIR)"
      return 0
    fi
    if ! kill -0 "$CH_PID" 2>/dev/null; then break; fi
    sleep 0.5
  done
  echo "ClickHouse did not start within 30 s:" >&2
  tail -20 "$CH_DIR/stdout.log" "$CH_DIR/error.log" >&2 2>/dev/null || true
  return 1
}

clickhouse_stop() {
  if [ -n "${CH_PID:-}" ] && kill -0 "$CH_PID" 2>/dev/null; then
    kill "$CH_PID" 2>/dev/null || true
    for _ in $(seq 1 40); do kill -0 "$CH_PID" 2>/dev/null || break; sleep 0.25; done
    kill -9 "$CH_PID" 2>/dev/null || true
  fi
  [ -n "${CH_DIR:-}" ] && rm -rf "$CH_DIR"
}
