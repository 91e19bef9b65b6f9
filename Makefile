# Warren — the user's entry point.
#   make            build every module and create the demo launchers in this directory
#   make run_tests  the whole test suite (unit + integration + end-to-end)
#   make format     reformat every Java source (palantir-java-format); the build checks it
#   make config-docs  render docs/CONFIG.md from the configuration schema (a test fails when they differ)
#   make coverage   the test suite under JaCoCo: HTML per module and a one-line summary each
#   make bench      the benchmarks (JMH and side-by-side runs); never part of run_tests
#   make proof      the long runs of the model-checking and stress tests (run_tests runs short ones); ~16 min
#   make fuzz       coverage-guided fuzzing of every parser, FUZZ_SECONDS each (default 60)
#   make mutation   PIT mutation testing of parsing, codecs, windows, scopes and channels; scores per package
#   make soak       every server under mixed and hostile load for MINUTES (default 30); charts in docs/soak/
#   make release    the library jars with their sources and javadoc (doclint: a broken reference fails)
#   make kafka      start an Apache Kafka broker (KRaft, one node) in the background; prints 127.0.0.1:PORT
#   make kafka-stop stop it
#   make clean      remove build output and launchers
#
# The build needs a JDK >= 21: JAVA_HOME if it is new enough, otherwise the newest one installed
# (build/find-jdk.sh). The default `java` on the machine may be older; it is not used.

SHELL := /bin/sh
JDK := $(shell ./build/find-jdk.sh)
ifeq ($(JDK),)
$(error No JDK >= 21 found (see the message above); set JAVA_HOME to one)
endif
export JAVA_HOME := $(JDK)
MVN := mvn -B -q -e --no-transfer-progress -Dwarren.commit=$(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
DEMOS := tasklets_demo http_server http_client msg_server msg_client hiveparser datapath supervise

.PHONY: all build launchers run_tests coverage format bench proof fuzz mutation soak release clean config-docs kafka kafka-stop

all: build launchers
	@echo
	@echo "Warren is built (JDK: $(JAVA_HOME)). Run the demos from this directory:"
	@echo "  ./tasklets_demo --count 1000000   # a million parked tasklets: spawn rate, heap per tasklet, join time"
	@echo "  ./tasklets_demo tree              # a live tree of nested scopes"
	@echo "  ./hiveparser --generate 100000 --keys 1000 --duration 10s   # keyed UDP stream windows, live dashboard"
	@echo "  ./hiveparser --port 9999 --jsonl windows.jsonl              # send it KEY [VALUE [TS_MS]] lines over UDP"
	@echo "  ./msg_server 7000 --echo          # framed messages (BuffStreams-compatible): msg/s and MB/s once a second"
	@echo "  ./msg_client 127.0.0.1 7000 -n 100000 -c 4 --echo   # send, and check every echoed byte"
	@echo "  ./http_server 5555                # an HTTP/1.1 server: /, /hello/NAME, POST /echo, /stream, /sleep?ms=N"
	@echo "  ./http_client localhost 5555 /    # fetch a page; -n 100000 -c 50 for a keep-alive load run"
	@echo "  ./datapath '(gen,interval=10ms) > (grep,pattern=7) > (count)'   # a datapath, live counts per stage"
	@echo "  ./datapath '(tcpsock,expression=5000) > (compress,export,name=mybuf)' --read mybuf > out.gz"
	@echo "  ./datapath '(gen,interval=10ms,payload=hello) > (export,name=g)' --admin 9191   # then curl -sN 'localhost:9191/streams/g?follow=1'"
	@echo "  ./http_server 5555 --admin 9090   # any demo: admin endpoints, /metrics and a live dashboard on http://127.0.0.1:9090/"
	@echo "  ./supervise --trace-dir traces -- ./http_server 5555   # keep it running: restarts on crash, traces and restarts on hang"
	@echo "Tests: make run_tests    Benchmarks: make bench"

build:
	$(MVN) install -DskipTests

launchers: build
	@for d in $(DEMOS); do ./build/make-launcher.sh "$$d" "$(JAVA_HOME)"; done

run_tests:
	$(MVN) install
	@./build/test-summary.sh

format:
	$(MVN) spotless:apply

# A broker from the jars the kafka-broker module resolved (no download outside Maven); data and log in .kafka/
KAFKA_RUN = "$(JAVA_HOME)/bin/java" -Dorg.slf4j.simpleLogger.log.org.apache.kafka=off -cp "kafka/target/test-classes:$$(cat kafka/target/test.classpath)" dev.warren.kafka.KafkaBroker
kafka:
	@test -f kafka/target/test.classpath -a -f kafka-broker/target/broker.classpath || $(MVN) -pl kafka -am install -DskipTests
	@$(KAFKA_RUN) start .kafka

kafka-stop:
	@test -f kafka/target/test.classpath || { echo "nothing to stop: the kafka module is not built"; exit 0; }; $(KAFKA_RUN) stop .kafka

# docs/CONFIG.md is rendered from the configuration schema (config/.../Schema.java); a test compares them
config-docs:
	$(MVN) -pl config -am install -DskipTests -q
	$(MVN) -pl config surefire:test -Dtest=ConfigReferenceTest -Dwarren.config.write=true -q

release:
	$(MVN) -Prelease install -DskipTests
	@ls -1 tasklets/target/*.jar net/target/*.jar streaming/target/*.jar config/target/*.jar

coverage:
	$(MVN) -Pcoverage install
	@./build/coverage-summary.sh

bench: build
	./build/run-bench.sh "$(JAVA_HOME)"

# The proof tests (tag "proof": Lincheck and the stress harnesses) with their long scenario counts and
# time budgets; JUnit's and surefire's time limits are raised to match.
proof:
	$(MVN) install -DskipTests
	rm -rf */target/surefire-reports
	$(MVN) test -pl tasklets,net -Dgroups=proof -Dwarren.proof=long -Djunit.timeout="60 m" \
		-Dsurefire.forkTimeout=7200 -Dsurefire.failIfNoSpecifiedTests=false
	@./build/test-summary.sh

FUZZ_SECONDS ?= 60
fuzz:
	FUZZ_SECONDS=$(FUZZ_SECONDS) MVN="$(MVN)" ./build/fuzz.sh

MINUTES ?= 30
soak: build
	MVN="$(MVN)" ./build/soak.sh "$(JAVA_HOME)" "$(MINUTES)"

mutation:
	$(MVN) install -DskipTests
	$(MVN) -Pmutation -pl tasklets,net,streaming org.pitest:pitest-maven:mutationCoverage
	@./build/mutation-summary.sh

clean:
	$(MVN) clean
	rm -f $(DEMOS)
