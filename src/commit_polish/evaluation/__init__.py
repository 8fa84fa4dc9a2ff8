"""`commit-polish eval`: the suggest pipeline over real squash-merged PRs, scored against the
messages maintainers wrote."""
