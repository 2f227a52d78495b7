# Shared by the scheduler benchmarks: build the scheduler's test classes once and run a benchmark
# main on that class path (the embedded MariaDB comes from the test kit).
bench_java() {
  local main=$1; shift
  mvn -B -q -pl scheduler -am test-compile dependency:build-classpath \
    -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=test >/dev/null
  local cp="scheduler/target/test-classes:scheduler/target/classes:$(cat scheduler/target/classpath.txt)"
  java -Xmx1g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$cp" "$main" "$@"
}
