"""Tuning a model on the writer's own texts (writer_app/tuning), end to end on the tiny GPT-2: the split
by file, the manifest's hashes and no text, cancel and resume, and the merged export against PyTorch."""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from writer_app.tuning.corpus import read_texts, split_by_document

WORDS = [
    "the",
    "lighthouse",
    "keeper",
    "watched",
    "the",
    "grey",
    "sea",
    "while",
    "gulls",
    "cried",
    "over",
    "the",
    "harbour",
    "and",
    "the",
    "small",
    "boats",
    "came",
    "home",
    "at",
    "dusk",
    "with",
    "their",
    "nets",
    "full",
    "of",
    "silver",
    "fish",
]
SECRET = "Marguerite-of-the-salt-marsh"  # a phrase only the writer's texts hold


def _write_texts(folder: Path, count: int = 6, seed: int = 1) -> Path:
    rng = random.Random(seed)
    for i in range(count):
        paragraphs = [" ".join(rng.choice(WORDS) for _ in range(60)).capitalize() + "." for _ in range(8)]
        paragraphs.insert(1, f"{SECRET} said nothing.")
        where = folder / ("drafts" if i % 2 else "") / f"chapter-{i}.md"
        where.parent.mkdir(parents=True, exist_ok=True)
        where.write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")
    return folder


def test_texts_are_split_by_file_and_never_by_sentence(tmp_path):
    texts = read_texts([_write_texts(tmp_path / "texts")])
    assert len(texts) == 6 and {t.name for t in texts} >= {"chapter-0.md", "drafts/chapter-1.md"}
    split = split_by_document(texts)
    assert split.how == "by file" and split.held_out and split.train
    held = {t.name for t in split.held_out}
    assert not held & {t.name for t in split.train}  # no document in both parts
    assert split_by_document(list(reversed(texts))).held_out == split.held_out  # the same on every run
    # One long document alone: its last part, at a paragraph boundary, is held out.
    (one,) = read_texts([tmp_path / "texts" / "chapter-0.md"])
    alone = split_by_document([one])
    assert alone.train[0].text + alone.held_out[0].text == one.text
    assert alone.held_out[0].text.startswith("\n\n")


def test_texts_in_other_encodings_are_read_and_bad_files_said(tmp_path):
    folder = tmp_path / "texts"
    _write_texts(folder, count=2)
    (folder / "gbk.txt").write_bytes(("春天的海边，灯塔看守人望着灰色的大海。" * 30).encode("gbk"))
    (folder / "binary.txt").write_bytes(b"\x00\x01\x02" * 100)
    (folder / "notes.docx").write_bytes(b"PK\x03\x04")  # not a text file: not read at all
    said: list[str] = []
    texts = read_texts([folder], say=said.append)
    names = {t.name for t in texts}
    assert "gbk.txt" in names and "binary.txt" not in names and "notes.docx" not in names
    assert any("gbk.txt" in line for line in said) and any("binary.txt" in line for line in said)
    assert "灯塔看守人" in next(t.text for t in texts if t.name == "gbk.txt")


def test_too_little_text_is_refused_with_the_reason(tmp_path):
    from writer_app.errors import UserError

    (tmp_path / "short.txt").write_text("Only a line.", encoding="utf-8")
    with pytest.raises(UserError, match="too little"):
        read_texts([tmp_path / "short.txt"])
    (tmp_path / "empty").mkdir()
    with pytest.raises(UserError, match="no text files"):
        read_texts([tmp_path / "empty"])


def _tune_here(source: Path, tmp_path: Path) -> Path:
    """Ten steps of a tune in this process, on texts written for it, into tmp_path/home's store."""
    from writer_app.models.store import ModelStore
    from writer_app.tuning.tune import tune_model

    return tune_model(
        str(source),
        [_write_texts(tmp_path / "texts")],
        name="mine",
        store=ModelStore(tmp_path / "home" / "models"),
        progress=lambda _line: None,
        changes={"max_steps": 10, "threads": 1},
        quantize="none",
    )


def _tune(source: Path, texts: Path, home: Path, name: str, *extra: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "WRITER_APP_HOME": str(home), "ORT_DISABLE_TELEMETRY": "1"}
    command = [sys.executable, "-m", "writer_app", "models", "tune", str(source), "--texts", str(texts)]
    return subprocess.run(
        [*command, "--name", name, "--quantize", "none", *extra],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )


def test_a_tune_runs_end_to_end_and_its_manifest_holds_hashes_not_text(tiny_source, tmp_path):
    texts = _write_texts(tmp_path / "texts")
    home = tmp_path / "home"
    done = _tune(tiny_source, texts, home, "mine", "--steps", "12")
    assert done.returncode == 0, done.stderr[-2000:]
    assert "less surprising to the tuned model" in done.stdout
    folder = home / "models" / "mine"
    manifest = json.loads((folder / "writer_app_manifest.json").read_text(encoding="utf-8"))
    tuning = manifest["tuning"]
    assert manifest["source"].startswith("tuned:")
    assert tuning["split"] == "by file" and tuning["steps"] <= 12
    files = tuning["trained_on"] + tuning["held_out"]
    assert len(files) == 6 and all(len(f["sha256"]) == 64 and f["bytes"] > 0 for f in files)
    figures = tuning["perplexity"]
    assert figures["held_out"]["after"] < figures["held_out"]["before"]  # it learnt the writer's texts
    # The writer's words are nowhere in the model folder, nor left behind in the state folder.
    for path in folder.rglob("*"):
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes(), path
    assert not any((home / "tuning").glob("*/*"))
    # A tuned model is removed like any other.
    removed = subprocess.run(
        [sys.executable, "-m", "writer_app", "models", "remove", "mine"],
        capture_output=True,
        text=True,
        env={**os.environ, "WRITER_APP_HOME": str(home)},
    )
    assert removed.returncode == 0 and not folder.exists()


def test_the_merged_export_writes_what_pytorch_writes(tiny_source, tmp_path, monkeypatch):
    """Greedy text from the exported ONNX model equals greedy text from the merged PyTorch model."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    import writer_app.tuning.tune as tune
    from writer_app.engine.generate import Engine
    from writer_app.engine.sampling import SamplingParams

    monkeypatch.setenv("WRITER_APP_HOME", str(tmp_path / "home"))
    kept = tmp_path / "merged"
    real_export = tune.export_model

    def keep_merged(folder, **kwargs):
        shutil.copytree(folder, kept)
        return real_export(folder, **kwargs)

    monkeypatch.setattr(tune, "export_model", keep_merged)
    made = _tune_here(tiny_source, tmp_path)
    merged = AutoModelForCausalLM.from_pretrained(kept).eval()
    base = AutoModelForCausalLM.from_pretrained(tiny_source).eval()
    tokenizer = AutoTokenizer.from_pretrained(kept)
    prompt = "The lighthouse keeper"
    ids = tokenizer(prompt, return_tensors="pt").input_ids
    with torch.no_grad():
        expected = merged.generate(ids, max_new_tokens=16, do_sample=False, pad_token_id=0)[0, ids.shape[1] :]
        untuned = base.generate(ids, max_new_tokens=16, do_sample=False, pad_token_id=0)[0, ids.shape[1] :]
    engine = Engine.load(made, threads=1)
    result = engine.generate(prompt, max_new_tokens=16, sampling=SamplingParams(greedy=True))
    assert result.completions[0].token_ids == expected.tolist()
    assert expected.tolist() != untuned.tolist()  # the adapters changed what the model writes


def test_a_cancelled_tune_leaves_no_model_and_the_same_command_resumes_it(tiny_source, tmp_path, monkeypatch):
    import writer_app.tuning.tune as tune
    from writer_app.models.store import ModelStore
    from writer_app.tuning.trainer import Cancelled

    monkeypatch.setenv("WRITER_APP_HOME", str(tmp_path / "home"))
    store = ModelStore(tmp_path / "home" / "models")
    texts = _write_texts(tmp_path / "texts")
    cancel = threading.Event()
    lines: list[str] = []

    def say(line: str) -> None:
        lines.append(line)
        if line.startswith("[train") and "step 7 of" in line:
            cancel.set()  # as the window's Cancel would, mid-training

    run = dict(store=store, changes={"max_steps": 12, "eval_every": 5, "threads": 1}, quantize="none")
    with pytest.raises(Cancelled, match="step 7"):
        tune.tune_model(str(tiny_source), [texts], name="mine", progress=say, cancel=cancel, **run)
    assert not store.path("mine").exists() and not list(store.root.glob(".*mine*"))
    assert (tune.tuning_dir("mine") / "checkpoint.pt").is_file()
    lines.clear()
    made = tune.tune_model(str(tiny_source), [texts], name="mine", progress=lines.append, **run)
    assert any("resuming at step 7 of 12" in line for line in lines)
    steps = [line for line in lines if line.startswith("[train")]
    assert steps[0].startswith("[train 66%]") and "step 8 of 12" in steps[0]  # on from where it stopped
    assert made.is_dir() and not tune.tuning_dir("mine").exists()
    # Other texts are another tune: a checkpoint of the first is not resumed for them.
    cancel.clear()
    with pytest.raises(Cancelled):
        tune.tune_model(str(tiny_source), [texts], name="again", progress=say, cancel=cancel, **run)
    (texts / "chapter-0.md").write_text("Rewritten. " * 400, encoding="utf-8")
    lines.clear()
    tune.tune_model(str(tiny_source), [texts], name="again", progress=lines.append, **run)
    assert not any("resuming" in line for line in lines)


def test_the_progress_bar_follows_training(tmp_path):
    from writer_app.models.stages import stage_detail, stage_of

    label, start = stage_of("[train 0%] step 0 of 40")
    _, middle = stage_of("[train 50%] step 20 of 40")
    _, export = stage_of("[export] [1/3] exporting")
    assert label == "Training on your writing" and start < middle < export < 1
    assert stage_detail("[train 50%] step 20 of 40: training loss 3.1") == "step 20 of 40: training loss 3.1"
    assert stage_detail("[export] [1/3] exporting") == ""


def test_a_model_imported_from_gguf_asks_for_its_file_and_one_exported_from_a_folder_does_not():
    from writer_app.engine.manifest import Manifest
    from writer_app.ui.tune_dialog import tunable_base

    exported = Manifest(name="tiny", source="/models/tiny-src", architecture="gpt2", context_length=128)
    assert tunable_base("tiny", exported) == ("tiny", "")
    imported = Manifest(name="smol", source="gguf:SmolLM2.gguf", architecture="llama", context_length=2048)
    base, why = tunable_base("smol", imported)
    assert base == "" and "SmolLM2.gguf" in why


def test_the_dialog_says_what_is_missing_before_it_trains(qtbot, tmp_path):
    from writer_app.ui.tune_dialog import TuneDialog

    dialog = TuneDialog("", "Choose the GGUF file.", "tiny-mine", {"tiny", "taken"})
    qtbot.addWidget(dialog)
    assert "start from" in dialog.problem_text()
    dialog.set_base("tiny")
    assert "Add the files" in dialog.problem_text()
    dialog.add_paths([tmp_path, tmp_path])  # the same folder twice is one entry
    dialog.name.setText("taken")
    assert "another name" in dialog.problem_text()
    dialog.name.setText("bad name/")
    assert "invalid model name" in dialog.problem_text()
    dialog.name.setText("tiny-mine")
    assert dialog.problem_text() == ""
    assert dialog.command() == ["tune", "tiny", "--texts", str(tmp_path), "--name", "tiny-mine"]
    dialog.fresh.setChecked(True)
    assert dialog.command()[-1] == "--fresh"


def test_training_from_the_window_runs_as_a_job_cancels_and_resumes(qtbot, tiny_model, tmp_path, monkeypatch):
    """Assist → Models… → Train on my writing…: its stages in the bar, Cancel keeping what was trained,
    the same choice going on from there, and the tuned model in the table with its figures."""
    from writer_app.settings import Settings
    from writer_app.tuning.tune import tuning_dir
    from writer_app.ui.model_manager import ModelManager
    from writer_app.ui.tune_dialog import TuneDialog

    home = tmp_path / "home"
    monkeypatch.setenv("WRITER_APP_HOME", str(home))
    shutil.copytree(tiny_model, home / "models" / "tiny")
    texts = _write_texts(tmp_path / "texts")
    manager = ModelManager(Settings(), "en")
    qtbot.addWidget(manager)
    manager.select("tiny")
    assert manager.tune_button.isEnabled()

    def train() -> tuple[list[str], list]:
        dialog = TuneDialog("tiny", "", "tiny-mine", set(manager.store.names()), manager)
        qtbot.addWidget(dialog)
        dialog.add_paths([texts])
        manager.tune_selected(dialog)
        stages: list[str] = []
        manager.jobs.job.stage.connect(lambda label, _fraction, _line: stages.append(label))
        outcomes: list = []
        manager.jobs.finished.connect(outcomes.append)
        return stages, outcomes

    stages, outcomes = train()
    qtbot.waitUntil(lambda: "Training on your writing" in stages, timeout=180_000)
    qtbot.wait(1500)  # a few steps in
    manager.jobs.cancel_button.click()
    qtbot.waitUntil(lambda: bool(outcomes), timeout=180_000)
    assert outcomes[0].cancelled and "kept" in manager.message.text()
    assert not (home / "models" / "tiny-mine").exists()
    assert (tuning_dir("tiny-mine") / "checkpoint.pt").is_file()

    stages, outcomes = train()
    qtbot.waitUntil(lambda: bool(outcomes), timeout=180_000)
    assert outcomes[0].ok, outcomes[0].message
    assert {"Reading your texts", "Training on your writing", "Exporting the tuned model"} <= set(stages)
    assert "less surprising" in manager.message.text()
    assert not tuning_dir("tiny-mine").exists()
    row = next(
        r for r in range(manager.table.rowCount()) if manager.table.item(r, 0).text().startswith("tiny-mine")
    )
    cell = manager.table.item(row, 0)
    assert "tuned on your writing" in cell.text() and "Tuned from tiny" in cell.toolTip()


def test_a_tune_killed_outright_resumes_from_its_last_evaluation(tiny_source, tmp_path):
    """kill -9 (a crash, a power cut) leaves the checkpoint of the last evaluation, never a half-written
    one, and no model; the same command goes on from that step."""
    import signal
    import time

    texts = _write_texts(tmp_path / "texts")
    home = tmp_path / "home"
    env = {**os.environ, "WRITER_APP_HOME": str(home), "ORT_DISABLE_TELEMETRY": "1", "PYTHONUNBUFFERED": "1"}
    command = [sys.executable, "-m", "writer_app", "models", "tune", str(tiny_source), "--texts", str(texts)]
    command += ["--name", "mine", "--quantize", "none", "--steps", "20"]
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
    seen = []
    deadline = time.monotonic() + 300
    for line in child.stdout:
        seen.append(line)
        if "step 7 of 20" in line or time.monotonic() > deadline:  # past the evaluation at step 5
            break
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=60)
    assert any("held-out loss" in line for line in seen), seen
    assert not (home / "models" / "mine").exists()
    assert not list((home / "tuning" / "mine").glob("*.partial"))
    again = subprocess.run(command, capture_output=True, text=True, env=env, timeout=600)
    assert again.returncode == 0, again.stderr[-2000:]
    assert "resuming at step 5 of 20" in again.stdout
    assert (home / "models" / "mine" / "writer_app_manifest.json").is_file()


def test_adapters_that_spoil_plain_prose_are_not_kept(tiny_source, tmp_path, monkeypatch):
    """The adapters kept are the best on the writer's held-out texts among those that leave a neutral
    text at most MAX_NEUTRAL_COST more surprising: with no cost allowed at all (here: it would have to
    become 99% less surprising), the base is what stays."""
    import writer_app.tuning.trainer as trainer
    from writer_app.engine.manifest import Manifest

    monkeypatch.setenv("WRITER_APP_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(trainer, "MAX_NEUTRAL_COST", -0.99)
    made = _tune_here(tiny_source, tmp_path)
    record = Manifest.load(made).tuning
    held = record["perplexity"]["held_out"]
    assert held["after"] == pytest.approx(held["before"], rel=1e-6)
    assert all("neutral_loss" in entry for entry in record["history"])
    assert min(e["held_out_loss"] for e in record["history"]) < record["history"][0]["held_out_loss"]
