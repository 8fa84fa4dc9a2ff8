"""`commit-polish serve`: the embedded GGUF model behind a local llama.cpp or llamafile
server."""
