"""The settings: one declaration per setting (`declared`), the model (`model`), loading (`load`)."""
