#!/usr/bin/env bash
# Creates a broker user for each identity in a routes folder (default: the stock routes/), on the
# local RabbitMQ, password = user name, for trying the router out. Least privilege: publish only to
# itk.inbound, read only the end point's own queue, configure nothing. NOT for production: there,
# manage accounts and passwords properly (docs/operations.md).
set -euo pipefail
routes="${1:-$(dirname "$0")/../routes}"
vhost="${VHOST:-/}"
users=$(grep -hoE 'identities: *\[[^]]*\]' "$routes"/*.yaml | sed -E 's/.*\[(.*)\]/\1/' | tr ',' '\n' | tr -d " '\"")
for user in $users; do
  endpoint="$user" # the stock routes name each end point's broker user after the end point
  rabbitmqctl -q add_user "$user" "$user" 2>/dev/null || rabbitmqctl -q change_password "$user" "$user"
  rabbitmqctl -q set_permissions -p "$vhost" "$user" '^$' '^itk\.inbound$' "^itk\.endpoint\.${endpoint}\$"
  echo "broker user $user (password $user) may publish to itk.inbound and read itk.endpoint.$endpoint"
done
