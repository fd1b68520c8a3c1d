#!/usr/bin/env bash
# Copy the operator YAML files from config/ into deploy/k8s/config/, where the kustomize
# configMapGenerator reads them (kustomize refuses files outside deploy/k8s/, and
# `kubectl apply -k` has no flag to allow them). config/ is the source of truth;
# tests/unit/deploy/test_k8s.py fails while the copies differ.
#
#   deploy/k8s/sync-config.sh            (from any directory)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
src="$(cd "$here/../../config" && pwd)"
dst="$here/config"

rm -rf "$dst"
mkdir -p "$dst/gazetteers"
cp "$src"/*.yaml "$dst/"
cp "$src"/gazetteers/*.yaml "$dst/gazetteers/"
printf 'synced: %s -> %s\n' "$src" "$dst"
