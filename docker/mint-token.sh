#!/usr/bin/env bash
# Mints an HS256 JWT that the silos of docker/compose.yaml accept: signed with SCW_DEV_SIGNING_KEY (base64), issuer
# SCW_DEV_ISSUER, audience SCW_DEV_AUDIENCE, the roles given as arguments. Needs only bash, openssl and coreutils.
# Development only: the key is a shared secret, so whoever holds it can mint any role. Production uses an OIDC provider.
#
#   docker/mint-token.sh [--sub NAME] [--hours N] ROLE...
#   TOKEN=$(docker/mint-token.sh admin compliance auditor)
#
# The key, issuer and audience come from the environment, else from docker/.env (the file compose reads).
set -euo pipefail

env_file="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/.env"
from_env_file() { # $1 = variable name; prints its value from docker/.env, if any
  [[ -f $env_file ]] || return 0
  sed -n "s/^$1=//p" "$env_file" | tail -n 1 | sed -e 's/^"\(.*\)"$/\1/' -e "s/^'\(.*\)'$/\1/"
}
key=${SCW_DEV_SIGNING_KEY:-$(from_env_file SCW_DEV_SIGNING_KEY)}
issuer=${SCW_DEV_ISSUER:-$(from_env_file SCW_DEV_ISSUER)}; issuer=${issuer:-scw-dev}
audience=${SCW_DEV_AUDIENCE:-$(from_env_file SCW_DEV_AUDIENCE)}; audience=${audience:-supplychainwatch}

sub=compose-dev hours=8 roles=()
while (($#)); do
  case $1 in
    --sub) sub=${2:?--sub needs a value}; shift 2 ;;
    --hours) hours=${2:?--hours needs a value}; shift 2 ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    -*) echo "mint-token.sh: unknown option $1" >&2; exit 2 ;;
    *) roles+=("$1"); shift ;;
  esac
done

[[ -n $key ]] || { echo "mint-token.sh: SCW_DEV_SIGNING_KEY is not set (environment or docker/.env); see docker/.env.example" >&2; exit 2; }
((${#roles[@]})) || { echo "mint-token.sh: name at least one role (admin, compliance, auditor, grievance-handler, recruitment-monitor, ngo, case-officer)" >&2; exit 2; }
[[ $hours =~ ^[0-9]+$ ]] || { echo "mint-token.sh: --hours must be a whole number" >&2; exit 2; }
# Names go into JSON unescaped, so they are restricted to characters that need no escaping.
for value in "$sub" "$issuer" "$audience" "${roles[@]}"; do
  [[ $value =~ ^[A-Za-z0-9._:/@-]+$ ]] || { echo "mint-token.sh: '$value' has characters other than letters, digits and ._:/@-" >&2; exit 2; }
done

key_hex=$(printf '%s' "$key" | base64 -d | od -An -v -tx1 | tr -d ' \n')
[[ -n $key_hex ]] || { echo "mint-token.sh: SCW_DEV_SIGNING_KEY is not base64" >&2; exit 2; }

b64url() { base64 | tr -d '\n=' | tr '+/' '-_'; }
now=$(date +%s)
role_json=$(printf '"%s",' "${roles[@]}"); role_json="[${role_json%,}]"
header=$(printf '{"alg":"HS256","typ":"JWT"}' | b64url)
payload=$(printf '{"sub":"%s","iss":"%s","aud":"%s","nbf":%d,"iat":%d,"exp":%d,"role":%s}' \
  "$sub" "$issuer" "$audience" $((now - 60)) $((now - 60)) $((now + hours * 3600)) "$role_json" | b64url)
signature=$(printf '%s' "$header.$payload" | openssl dgst -sha256 -mac HMAC -macopt "hexkey:$key_hex" -binary | b64url)
printf '%s.%s.%s\n' "$header" "$payload" "$signature"
