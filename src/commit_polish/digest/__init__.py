"""The diff digest: parse a unified diff (parse.py), masking the secrets in it as it goes
(secrets.py), and tell file kinds apart (kinds.py), then
fit what explains the change into the prompt's token budget: fit.py decides what fits (which
files to name, how much room), select.py ranks the lines to quote, render.py writes the
decided choice as the digest's text."""
