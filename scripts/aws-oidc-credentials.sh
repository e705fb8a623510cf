#!/usr/bin/env bash
# CI only (docs/ci.md): trades this job's GitHub OIDC token for short-lived credentials of the
# role in $AWS_ROLE_ARN (STS AssumeRoleWithWebIdentity) and exports them to the job's later steps.
# The exchange happens at once because GitHub's ID token expires within minutes, before a long
# `pulumi up` would first need AWS; the session then lasts $AWS_SESSION_SECONDS (default 1 h, at
# most the role's MaxSessionDuration). Needs `permissions: id-token: write`, the AWS CLI and jq
# (both on GitHub's ubuntu runners).
set -euo pipefail
: "${AWS_ROLE_ARN:?no AWS role ARN set for this environment}"
: "${ACTIONS_ID_TOKEN_REQUEST_URL:?no OIDC token endpoint: the job lacks permissions: id-token: write}"

# The audience the role's trust policy requires (docs/ci.md).
token=$(curl -sSf -H "Authorization: bearer $ACTIONS_ID_TOKEN_REQUEST_TOKEN" \
  "$ACTIONS_ID_TOKEN_REQUEST_URL&audience=sts.amazonaws.com" | jq -r .value)
echo "::add-mask::$token"
# AssumeRoleWithWebIdentity is an unsigned call: no AWS credentials are needed to make it.
credentials=$(aws sts assume-role-with-web-identity --region us-east-1 \
  --role-arn "$AWS_ROLE_ARN" \
  --role-session-name "github-$GITHUB_RUN_ID-$GITHUB_RUN_ATTEMPT" \
  --web-identity-token "$token" \
  --duration-seconds "${AWS_SESSION_SECONDS:-3600}" \
  --query Credentials --output json)
for pair in AWS_ACCESS_KEY_ID=AccessKeyId AWS_SECRET_ACCESS_KEY=SecretAccessKey AWS_SESSION_TOKEN=SessionToken; do
  value=$(jq -r ".${pair#*=}" <<<"$credentials")
  echo "::add-mask::$value"
  echo "${pair%%=*}=$value" >>"$GITHUB_ENV"
done
