"""`writer-app models import-gguf`: a GGUF checkpoint becomes an ONNX model with the right special tokens."""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path
from unittest import mock

import onnx
import pytest
import torch

from tests.fixtures_models import build_tiny_gguf
from writer_app.cli import main
from writer_app.engine.generate import Engine
from writer_app.engine.manifest import Manifest
from writer_app.models.model_licence import licence_in_readme

IM_START, IM_END = 1, 2


@pytest.fixture(scope="module")
def gguf_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_gguf(tmp_path_factory.mktemp("gguf") / "Tiny-Chat.Q8.gguf")


@pytest.fixture(scope="module")
def imported(gguf_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("gguf-home")
    with mock.patch.dict(os.environ, {"WRITER_APP_HOME": str(home)}):
        # float32: these tests compare with transformers reading the same file
        assert (
            main(["models", "import-gguf", str(gguf_file), "--name", "tiny-chat", "--quantize", "none"]) == 0
        )
    return home / "models" / "tiny-chat"


def test_the_licence_in_the_gguf_metadata_is_recorded(imported):
    assert Manifest.load(imported).license == "apache-2.0"


def test_a_model_cards_licence_is_read_from_its_front_matter(tmp_path):
    (tmp_path / "README.md").write_text("---\nlanguage: en\nlicense: 'mit'\n---\n# license: not this\n")
    assert licence_in_readme(tmp_path) == "mit"
    (tmp_path / "README.md").write_text("# A card without front matter\nlicense: mit\n")
    assert licence_in_readme(tmp_path) == ""
    assert licence_in_readme(tmp_path / "missing") == ""


def test_chatml_special_tokens_are_fixed(imported):
    manifest = Manifest.load(imported)
    assert manifest is not None
    assert manifest.source == "gguf:Tiny-Chat.Q8.gguf"
    assert manifest.architecture == "llama"
    assert manifest.eos_token_ids == [IM_END]
    assert manifest.bos_token_id is None
    assert manifest.capabilities == ["continue", "instruct"] and manifest.prompt_format == "chatml"
    generation = json.loads((imported / "generation_config.json").read_text())
    assert generation["eos_token_id"] == IM_END


@pytest.fixture(scope="module")
def gguf_torch(gguf_file: Path):
    from transformers import AutoModelForCausalLM

    return AutoModelForCausalLM.from_pretrained(gguf_file.parent, gguf_file=gguf_file.name).eval()


PROMPTS = {
    "chat": "<|im_start|>user\nthe heat<|im_end|>\n",
    # Long enough that the rotary embedding is checked far from position 0 (the context is 128).
    "long": "<|im_start|>user\n" + "the heat the theft, " * 6 + "<|im_end|>\n",
}


@pytest.mark.parametrize("name", sorted(PROMPTS))
def test_imported_model_generates_like_transformers_reads_the_gguf(imported, gguf_torch, name):
    engine = Engine.load(imported, threads=1)
    prompt = PROMPTS[name]
    ids = engine.codec.encode(prompt)
    assert ids[0] == IM_START  # special tokens in the text are recognised, and no BOS is added
    result = engine.generate(prompt, max_new_tokens=24)
    with torch.no_grad():
        out = gguf_torch.generate(
            torch.tensor([ids]), max_new_tokens=24, do_sample=False, eos_token_id=IM_END, pad_token_id=0
        )
    expected = out[0, len(ids) :].tolist()
    expected = expected[: expected.index(IM_END)] if IM_END in expected else expected
    assert result.completions[0].token_ids == expected


def test_llama_attention_is_one_op_per_layer_with_its_cache_in_place(imported):
    ops = Counter(n.op_type for n in onnx.load(str(imported / "model.onnx")).graph.node)
    assert ops["GroupQueryAttention"] == 2
    assert {"fused_attention", "kv_buffer_in_place"} <= set(Manifest.load(imported).graph_rewrites)
    engine = Engine.load(imported, threads=1)
    assert engine.model.in_place_cache
    # Prefix reuse on a rotary model: positions continue where the reused cache ends.
    engine.generate(PROMPTS["long"], max_new_tokens=8)
    again = engine.generate(PROMPTS["long"] + "the", max_new_tokens=8)
    fresh = Engine.load(imported, threads=1).generate(PROMPTS["long"] + "the", max_new_tokens=8)
    assert again.stats.reused_tokens > 20
    assert again.completions[0].token_ids == fresh.completions[0].token_ids


def test_not_a_gguf_file_is_a_user_error(tmp_path, capsys):
    fake = tmp_path / "fake.gguf"
    fake.write_bytes(b"not gguf")
    assert main(["models", "import-gguf", str(fake)]) == 2
    assert "is not a GGUF file" in capsys.readouterr().err
