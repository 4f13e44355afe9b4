#!/usr/bin/env bash
# The README tour's broker set-up, on the local RabbitMQ (rabbitmqctl), in a vhost of its own.
#
#   scripts/dev-broker-users.sh [up] [routes-folder]   vhost itk-tour, a router user, a broker user
#                                                     per end point identity, and var/tour.env
#   scripts/dev-broker-users.sh down                   removes the vhost (its queues and exchanges),
#                                                     the users it made, var/tour.env, the tour store
#
# It never touches a user it did not make: users it makes carry the tag `itk-tour`, a user that
# already exists without it is left as it is (and the tour cannot use it). One password, drawn at
# random, for all of them, written only to var/tour.env (mode 0600): `set -a; . var/tour.env; set +a`
# gives the shell AMQP_URL (the router's account on the tour vhost), ITK_ROUTER_PASSWORD (what
# send, receive and simulate read) and ITK_ROUTER_STORE (the tour's own SQLite store).
# Least privilege for the end points: publish only to itk.inbound, read only their own queue.
# NOT for production: there, use `itk-router provision` (docs/operations.md).
set -euo pipefail
cd "$(dirname "$0")/.."
action=up
if [ "${1:-}" = up ] || [ "${1:-}" = down ]; then action=$1; shift; fi
routes="${1:-routes}"
vhost="${TOUR_VHOST:-itk-tour}"
tag=itk-tour
router_user=itk-tour-router
env_file=var/tour.env
ctl() { rabbitmqctl -q "$@"; }
# users whose tags (second column, "[a, b]") include the tour's tag
ours() { ctl list_users | awk -F'\t' -v tag="$tag" '{ t = $2; gsub(/[][ ]/, "", t); n = split(t, a, ","); for (i = 1; i <= n; i++) if (a[i] == tag) print $1 }'; }

if [ "$action" = down ]; then
  if ctl list_vhosts | grep -qxF "$vhost"; then
    ctl delete_vhost "$vhost" && echo "deleted vhost $vhost (its queues and exchanges with it)"
  fi
  for user in $(ours); do
    ctl delete_user "$user" && echo "deleted broker user $user"
  done
  rm -f "$env_file" var/tour.sqlite var/tour.sqlite-wal var/tour.sqlite-shm
  echo "removed $env_file and the tour store var/tour.sqlite"
  exit 0
fi

mkdir -p var
chmod 700 var
if [ -f "$env_file" ]; then
  password=$(sed -n 's/^ITK_ROUTER_PASSWORD=//p' "$env_file")
else
  password=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
fi
existing=$(ctl list_users | awk '{ print $1 }')
tagged=$(ours)
make_user() { # user: create it (tagged) unless it exists; 0 if the tour may use it
  local user=$1
  if printf '%s\n' "$tagged" | grep -qxF "$user"; then return 0; fi
  if printf '%s\n' "$existing" | grep -qxF "$user"; then
    echo "broker user $user exists already and is not the tour's: left untouched (the tour cannot use it)" >&2
    return 1
  fi
  printf '%s' "$password" | ctl add_user "$user" >/dev/null
  ctl set_user_tags "$user" "$tag"
  return 0
}

ctl list_vhosts | grep -qxF "$vhost" || ctl add_vhost "$vhost"
echo "vhost $vhost"
unusable=()
if make_user "$router_user"; then
  ctl set_permissions -p "$vhost" "$router_user" '.*' '.*' '.*'
  echo "broker user $router_user: the router's account, on vhost $vhost only"
else
  unusable+=("$router_user")
fi
users=$(grep -hoE 'identities: *\[[^]]*\]' "$routes"/*.yaml | sed -E 's/.*\[(.*)\]/\1/' | tr ',' '\n' | tr -d " '\"")
for user in $users; do
  endpoint="$user" # the stock routes name each end point's broker user after the end point
  if ! make_user "$user"; then
    unusable+=("$user")
    continue
  fi
  ctl set_permissions -p "$vhost" "$user" '^$' '^itk\.inbound$' "^itk\.endpoint\.${endpoint}\$"
  echo "broker user $user may publish to itk.inbound and read itk.endpoint.$endpoint"
done
umask 077
cat >"$env_file" <<EOF
AMQP_URL=amqp://$router_user:$password@127.0.0.1:5672/$vhost
ITK_ROUTER_PASSWORD=$password
ITK_ROUTER_STORE=sqlite:var/tour.sqlite
EOF
echo "wrote $env_file: run 'set -a; . $env_file; set +a' in your shell"
echo "clean up afterwards: scripts/dev-broker-users.sh down"
if [ ${#unusable[@]} -gt 0 ]; then
  # The tour's commands would be refused for these users: say so now, not at the first send.
  echo "the tour cannot use broker user(s) ${unusable[*]}: they exist and are not the tour's." >&2
  echo "If they are left over from an older tour, remove them (rabbitmqctl delete_user <name>) and run this again." >&2
  exit 1
fi
