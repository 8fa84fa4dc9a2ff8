"""The commit message: read the repository's style, repair a model's subject and body, and
write the message without a model when every model failed."""
