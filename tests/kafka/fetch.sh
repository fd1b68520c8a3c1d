#!/usr/bin/env bash
# Fetch the Apache Kafka broker's runtime jars (tests/kafka/pom.xml) from Maven Central into
# .cache/kafka/<version>/jars, once; the integration tests start a real broker from them.
# Needs mvn and Java 17; prints the jar folder. Safe to re-run (does nothing when present).
set -euo pipefail
cd "$(dirname "$0")/../.."
version=$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' tests/kafka/pom.xml)
out=".cache/kafka/${version}/jars"
if ! ls "${out}"/kafka_2.13-"${version}".jar >/dev/null 2>&1; then
  rm -rf "${out}.tmp"
  mvn -q -B -f tests/kafka/pom.xml dependency:copy-dependencies -DincludeScope=runtime \
    -DoutputDirectory="${PWD}/${out}.tmp"
  rm -rf "${out}" && mv "${out}.tmp" "${out}"
fi
echo "${out}"
