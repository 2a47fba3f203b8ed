# The two commands a newcomer needs: `make run` and `make test`.
GO       ?= go
SHELL    := /bin/bash
PKGS     := ./...
FUZZTIME ?= 20s

.PHONY: run test bench lint fuzz build clean

## run: start the sandbox: the skill plus a fake Dingdang platform on 127.0.0.1,
## bbolt under ./data, development keys generated on first start, account linking
## suggested (SKILL_LINK=optional) with the development login (POST /sandbox/link).
run:
	$(GO) run ./cmd/skill sandbox

## test: every test, including the Redis ones (they start their own redis-server),
## the utterance fixtures under testdata/utterances and the simulator in headless
## Chromium. Each package's ok/FAIL line shows as soon as it finishes, with a
## "still running" line every 30 s (internal/testprogress reads `go test -json`).
test:
	$(GO) vet $(PKGS)
	$(GO) build -o bin/testprogress ./internal/testprogress
	set -o pipefail; $(GO) test -race -count=1 -timeout 9m -json $(PKGS) | bin/testprogress

## bench: Go benchmarks (among them the product resolver: time per resolution
## on a 1,000-product catalog, and the labelled set's %right and %wrong), then
## the loopback load run with its in-run baselines.
bench:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime 2000x $(PKGS)
	$(GO) run ./internal/loadbench

## lint: go vet plus staticcheck.
lint:
	$(GO) vet $(PKGS)
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 $(PKGS)

## fuzz: run each fuzz target for $(FUZZTIME): the wire decoding, the pay
## messages' strict JSON check, the dialog's time budget per turn, the product
## resolver and its number reader, fen arithmetic, and durations in days.
fuzz:
	@for p in ./skill/tsk/ ./skill/pay/ ./skill/intents/ ./skill/resolve/ ./internal/days/; do \
		for t in $$($(GO) test -list '^Fuzz' $$p | grep ^Fuzz); do \
		$(GO) test -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) $$p || exit 1; done; done
	$(GO) test -run '^$$' -fuzz '^FuzzMulFen$$' -fuzztime $(FUZZTIME) ./shop/

## build: the skill binary in ./bin.
build:
	$(GO) build -o bin/skill ./cmd/skill

clean:
	rm -rf bin
