#!/bin/sh
# The distribution's kafka-run-class.sh in short: the same variables for heap, JVM and log4j options.
exec java ${KAFKA_HEAP_OPTS:--Xmx256M} ${KAFKA_JVM_PERFORMANCE_OPTS:--XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true} \
  ${KAFKA_LOG4J_OPTS:-} ${KAFKA_OPTS:-} -cp '/opt/kafka/libs/*' "$@"
