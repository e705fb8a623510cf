#!/usr/bin/env bash
# CI only (.github/workflows/drift.yml, docs/ci.md "Drift detection"): after the drift check
# failed, opens an issue for each stack whose refreshing preview failed, or comments on that
# stack's issue while it is still open. Which stacks failed comes from this run's jobs (matrix
# jobs are named `drift (<stack>)`). Needs gh (on GitHub's runners) with GH_TOKEN allowed
# `issues: write` and `actions: read`.
set -euo pipefail
: "${GITHUB_REPOSITORY:?}" "${GITHUB_RUN_ID:?}"
run_url="${GITHUB_SERVER_URL:-https://github.com}/$GITHUB_REPOSITORY/actions/runs/$GITHUB_RUN_ID"

failed=$(gh api --paginate "repos/$GITHUB_REPOSITORY/actions/runs/$GITHUB_RUN_ID/jobs" \
  --jq '.jobs[] | select(.conclusion == "failure") | .name' | sed -n 's/^drift (\([a-z0-9-]*\))$/\1/p')
if [ -z "$failed" ]; then
  echo "no drift job failed in this run"
  exit 0
fi

for stack in $failed; do
  title="Drift in stack $stack"
  body="The scheduled refreshing preview of \`$stack\` found changes or could not run: $run_url

- Changes: the run's summary shows the diff. Bring the stack's code or config in line with
  what was changed by hand, or run \`pulumi up\` to put back what the code declares. A robot
  whose scheduled renewal is due shows as a replacement until the next \`pulumi up\`.
- An error: the job's log names it (credentials of the \`preview-$stack\` environment, a
  resource the read-only identities may not read; docs/ci.md, \"Drift detection\")."
  number=$(gh issue list --repo "$GITHUB_REPOSITORY" --state open --search "\"$title\" in:title" \
    --json number,title --jq "map(select(.title == \"$title\")) | .[0].number // empty")
  if [ -n "$number" ]; then
    gh issue comment "$number" --repo "$GITHUB_REPOSITORY" --body "$body"
  else
    gh issue create --repo "$GITHUB_REPOSITORY" --title "$title" --body "$body"
  fi
done
