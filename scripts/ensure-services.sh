#!/usr/bin/env bash
# Starts the local RabbitMQ and PostgreSQL that the tests use, when they are installed but stopped.
# Installs nothing (see .ci/run for a fresh machine). Safe to run when they are already up.
set -u

rabbit_up() { timeout 20 rabbitmq-diagnostics -q ping >/dev/null 2>&1; }
pg_up() { pg_isready -q -h 127.0.0.1 -p 5432 >/dev/null 2>&1; }

if command -v rabbitmq-server >/dev/null 2>&1 && ! rabbit_up; then
  echo "ensure-services: starting RabbitMQ" >&2
  rabbitmq-server -detached >/dev/null 2>&1 || true
  for _ in $(seq 1 60); do rabbit_up && break; sleep 1; done
fi
if command -v pg_ctlcluster >/dev/null 2>&1 && ! pg_up; then
  echo "ensure-services: starting PostgreSQL" >&2
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start >/dev/null 2>&1 || true
  for _ in $(seq 1 30); do pg_up && break; sleep 1; done
fi
rabbit_up || echo "ensure-services: RabbitMQ is not reachable on 127.0.0.1:5672; integration tests will fail" >&2
exit 0
