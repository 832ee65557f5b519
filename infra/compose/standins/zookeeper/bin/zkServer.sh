#!/bin/bash
# The one use of zkServer.sh the project makes: `zkServer.sh start-foreground`, the server in the
# foreground on $ZOOCFGDIR/zoo.cfg with a heap of ZK_SERVER_HEAP MB (the distribution's default 1000).
set -euo pipefail
if [[ "${1:-}" != start-foreground ]]; then
  echo "this stand-in's zkServer.sh supports start-foreground only (got: ${1:-nothing})" >&2
  exit 2
fi
exec java "-Xmx${ZK_SERVER_HEAP:-1000}m" ${SERVER_JVMFLAGS:-} ${JVMFLAGS:-} \
  -Dzookeeper.log.dir="${ZOO_LOG_DIR:-/logs}" -Dorg.slf4j.simpleLogger.defaultLogLevel=info \
  -cp '/apache-zookeeper-bin/lib/*' org.apache.zookeeper.server.quorum.QuorumPeerMain "${ZOOCFGDIR:-/conf}/zoo.cfg"
