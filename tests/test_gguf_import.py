"""`writer-app models import-gguf`: a GGUF checkpoint becomes an ONNX model with the right special tokens."""

from __future__ import annotations

import json
import os
from pathlib import Path
from unittest import mock

import pytest
import torch

from tests.fixtures_models import build_tiny_gguf
from writer_app.cli import main
from writer_app.engine.generate import Engine
from writer_app.models.manifest import Manifest

IM_START, IM_END = 1, 2


@pytest.fixture(scope="module")
def gguf_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_gguf(tmp_path_factory.mktemp("gguf") / "Tiny-Chat.Q8.gguf")


@pytest.fixture(scope="module")
def imported(gguf_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("gguf-home")
    with mock.patch.dict(os.environ, {"WRITER_APP_HOME": str(home)}):
        assert main(["models", "import-gguf", str(gguf_file), "--name", "tiny-chat"]) == 0
    return home / "models" / "tiny-chat"


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


def test_imported_model_generates_like_transformers_reads_the_gguf(imported, gguf_file):
    from transformers import AutoModelForCausalLM

    engine = Engine.load(imported, threads=1)
    prompt = "<|im_start|>user\nthe heat<|im_end|>\n"
    ids = engine.codec.encode(prompt)
    assert ids[0] == IM_START  # special tokens in the text are recognised, and no BOS is added
    result = engine.generate(prompt, max_new_tokens=12)
    model = AutoModelForCausalLM.from_pretrained(gguf_file.parent, gguf_file=gguf_file.name).eval()
    with torch.no_grad():
        out = model.generate(
            torch.tensor([ids]), max_new_tokens=12, do_sample=False, eos_token_id=IM_END, pad_token_id=0
        )
    expected = out[0, len(ids) :].tolist()
    expected = expected[: expected.index(IM_END)] if IM_END in expected else expected
    assert result.completions[0].token_ids == expected


def test_not_a_gguf_file_is_a_user_error(tmp_path, capsys):
    fake = tmp_path / "fake.gguf"
    fake.write_bytes(b"not gguf")
    assert main(["models", "import-gguf", str(fake)]) == 2
    assert "is not a GGUF file" in capsys.readouterr().err
