"""The Action: the runner's environment and event in; one sticky comment, outputs, the job
summary and an exit code out."""
