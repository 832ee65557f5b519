#!/bin/sh
# The official redis image's entrypoint contract: options alone run redis-server; redis-server runs
# as the redis user; protected mode is off (the official build compiles it off: containers are
# reached from other containers, not from loopback).
set -e
case "$1" in -*|*.conf) set -- redis-server "$@" ;; esac
if [ "$1" = redis-server ]; then
  case "$*" in *protected-mode*) ;; *) set -- "$@" --protected-mode no ;; esac
  if [ "$(id -u)" = 0 ]; then
    exec setpriv --reuid=redis --regid=redis --init-groups "$@"
  fi
fi
exec "$@"
