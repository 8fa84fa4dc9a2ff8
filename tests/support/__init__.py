"""What the tests share: the stand-ins for a model and for GitHub (each a `local_http` server),
the worlds they serve, the fault-matrix cases, the Action runner's side, and where the data is.
"""
