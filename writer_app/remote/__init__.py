"""A second engine: any OpenAI-compatible server (llama.cpp's server, vLLM, Ollama, LM Studio) behind
the same interface as the local one. No Qt here; the window's model thread runs it."""
