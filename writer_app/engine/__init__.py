"""The runtime: onnxruntime session + KV cache, tokenizer and streaming detokenizer, sampling, generation.

numpy, onnxruntime and tokenizers only: no Qt, no torch.
"""
