# Holdfast's make targets: build, test, image, and deploy to or run against the cluster of the
# current kubeconfig context (KUBECONFIG, `kubectl config use-context NAME`). `make help` lists them.
#
# Deploy as the image clone controller's users did:
#   export REGISTRY=ghcr.io REGISTRY_USERNAME=me REGISTRY_PASSWORD=...   # optional: EXCLUDE_NAMESPACES=a,b
#   make deploy        # and: make undeploy

SHELL := /usr/bin/env bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

VERSION := $(shell sed -n 's/^ *newTag: *//p' deploy/kustomize/base/kustomization.yaml)
# The operator's image: where `make image` pushes it and what `make deploy` runs.
IMG ?= holdfast:$(VERSION)
# The base image (the JRE); any image with java on its PATH, Java 21 or newer.
BASE_IMAGE ?= eclipse-temurin:21-jre
NAMESPACE ?= holdfast-system
KUBECTL ?= kubectl
HELM ?= helm
# Maven through its wrapper, on the JDK 21+ that bin/lib/jdk.sh picks
MVN := source bin/lib/jdk.sh && holdfast_select_jdk && ./mvnw -B -ntp

.PHONY: help
help: ## Show the targets and the variables they read
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  %-14s %s\n", $$1, $$2}' $(MAKEFILE_LIST)
	@echo "Variables: IMG=$(IMG) BASE_IMAGE=$(BASE_IMAGE) NAMESPACE=$(NAMESPACE) KUBECTL=$(KUBECTL) HELM=$(HELM)"
	@echo "Deploy and run read REGISTRY, REGISTRY_USERNAME, REGISTRY_PASSWORD, REPOSITORY, EXCLUDE_NAMESPACES."

##@ Build

.PHONY: build
build: ## Build every module and the holdfast jar, without tests
	$(MVN) -DskipTests package

.PHONY: test
test: ## Run the whole test suite (bin/test: builds the test control plane once)
	bin/test

.PHONY: clean
clean: ## Delete the build's output
	$(MVN) clean

.PHONY: lint
lint: ## Lint the Helm chart (helm lint --strict) and render the kustomize base
	$(HELM) lint --strict charts/holdfast
	$(KUBECTL) kustomize deploy/kustomize/base >/dev/null

.PHONY: crds
crds: ## Write the CRDs generated from the operator's classes into deploy/crds, the chart and the kustomize base
	$(MVN) -pl holdfast-operator -am test -Dtest=CrdFilesTest -Dsurefire.failIfNoSpecifiedTests=false -Dholdfast.writeCrds=true
	$(MVN) -pl holdfast-deploy test -Dtest=ChartFilesTest -Dsurefire.failIfNoSpecifiedTests=false -Dholdfast.writeCrds=true

.PHONY: image
image: ## Build the image with Jib and push it to IMG (credentials: docker/podman login, or ~/.docker/config.json)
	$(MVN) -pl holdfast-deploy -am -DskipTests package jib:build \
	  -Dholdfast.image=$(IMG) -Dholdfast.image.base=$(BASE_IMAGE) -Dholdfast.image.revision=$$(git rev-parse HEAD 2>/dev/null || echo unknown)

.PHONY: image-tar
image-tar: ## Build the image with Jib into holdfast-deploy/target/holdfast-image.tar (docker load, kind load image-archive)
	$(MVN) -pl holdfast-deploy -am -DskipTests package jib:buildTar \
	  -Dholdfast.image=$(IMG) -Dholdfast.image.base=$(BASE_IMAGE) -Dholdfast.image.revision=$$(git rev-parse HEAD 2>/dev/null || echo unknown)

##@ Cluster

.PHONY: install-crds
install-crds: ## Install the CRDs (ImagePolicy, ImageCopy)
	$(KUBECTL) apply --server-side --force-conflicts --field-manager=holdfast-make -f deploy/crds/imagepolicies.holdfast.dev.yaml -f deploy/crds/imagecopies.holdfast.dev.yaml

.PHONY: uninstall-crds
uninstall-crds: ## Delete the CRDs, and with them every ImagePolicy and ImageCopy
	$(KUBECTL) delete --ignore-not-found -f deploy/crds/imagepolicies.holdfast.dev.yaml -f deploy/crds/imagecopies.holdfast.dev.yaml

.PHONY: deploy
deploy: ## Deploy with kustomize: REGISTRY, REGISTRY_USERNAME, REGISTRY_PASSWORD [REPOSITORY EXCLUDE_NAMESPACES IMG NAMESPACE]
	@dir=$$(mktemp -d); trap 'rm -rf "$$dir"' EXIT; \
	  IMG='$(IMG)' NAMESPACE='$(NAMESPACE)' deploy/kustomize/make-overlay.sh "$$dir"; \
	  $(KUBECTL) apply --server-side --force-conflicts --field-manager=holdfast-make -k "$$dir"
	@echo "Holdfast is deployed in $(NAMESPACE): kubectl -n $(NAMESPACE) get pods; kubectl get imagecopies"

.PHONY: undeploy
undeploy: ## Remove Holdfast and everything it created (run `holdfast restore` first: see docs/install.md)
	@dir=$$(mktemp -d); trap 'rm -rf "$$dir"' EXIT; \
	  IMG='$(IMG)' NAMESPACE='$(NAMESPACE)' deploy/kustomize/make-overlay.sh "$$dir" --credentials-optional; \
	  $(KUBECTL) delete --ignore-not-found --wait -k "$$dir"

.PHONY: run
run: install-crds ## Run the operator here, out of the cluster, with the seed's flags (REGISTRY_USERNAME/PASSWORD from the environment)
	$(KUBECTL) get namespace $(NAMESPACE) >/dev/null 2>&1 || $(KUBECTL) create namespace $(NAMESPACE)
	bin/holdfast operator -registry="$${REGISTRY:-}" -repository "$${REPOSITORY:-$${REGISTRY_USERNAME:-}}" \
	  -exclude-namespaces="$${EXCLUDE_NAMESPACES:-}" --namespace "$(NAMESPACE)"
