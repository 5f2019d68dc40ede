"""`writer-app models tune`: a model tuned on the writer's own texts, on this computer, into the store.

Reads the texts and splits them by document; loads the base (a GGUF file, a Hugging Face folder or hub
id, or a store model exported from one); measures the base's perplexity on the held-out texts and on a
neutral one; trains adapters (tuning/trainer.py); measures again; merges the adapters into the weights
and exports the result through the same exporter and quality gate as any model. The texts never leave
the computer and are never copied into the model folder: its manifest names the files, their sizes and
sha256. The checkpoint that lets a cancelled or crashed tune resume lives in the state folder
(tuning_dir) and is removed when the model is made, or with `writer-app models remove NAME`."""

from __future__ import annotations

import gc
import hashlib
import json
import resource
import shutil
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from writer_app import paths
from writer_app.engine.manifest import Manifest
from writer_app.errors import UserError
from writer_app.models.export import (
    DEFAULT_QUANTIZATION,
    ExportOverrides,
    Progress,
    export_extra_hint,
    export_model,
    quiet_libraries,
    require_export_tools,
)
from writer_app.models.gguf_import import check_gguf_file, load_gguf
from writer_app.models.library_log import library_output_logged
from writer_app.models.model_licence import licence_in_gguf, licence_in_readme
from writer_app.models.stages import stage_of
from writer_app.models.store import ModelStore, check_name, source_weights
from writer_app.translation import tr
from writer_app.tuning.corpus import Split, language_of_texts, read_texts, split_by_document
from writer_app.tuning.plan import HELD_OUT_BLOCKS, TunePlan, default_plan, estimate_seconds, measured_flops
from writer_app.tuning.trainer import Trainer, mean_loss, perplexity, token_blocks


def tuning_dir(name: str) -> Path:
    """Where a tune in progress keeps its checkpoint (adapter weights and optimizer state, no text)."""
    return paths.state_home() / "tuning" / name


def discard_tuning(name: str) -> bool:
    """Remove a tune's checkpoint; True when there was one."""
    folder = tuning_dir(name)
    if not folder.is_dir():
        return False
    shutil.rmtree(folder)
    return True


def neutral_text(language: str) -> str:
    """A text the writer did not write (the essay the exporter measures 8-bit weights on), to show what
    tuning traded away."""
    name = "agreement_zh.txt" if language == "zh" else "agreement_en.txt"
    return resources.files("writer_app.resources").joinpath(name).read_text(encoding="utf-8")


@dataclass
class Base:
    """The model a tune starts from: loaded in float32, with what its export must record."""

    tokenizer: Any
    model: Any
    label: str
    licence: str
    eos_ids: list[int] | None

    @property
    def eos_id(self) -> int | None:
        if self.eos_ids:
            return self.eos_ids[0]
        return self.tokenizer.eos_token_id


def load_base(base: str, store: ModelStore, progress: Progress) -> Base:
    path = Path(base).expanduser()
    if path.suffix.lower() == ".gguf":
        check_gguf_file(path)
        tokenizer, model, eos_ids = load_gguf(path, progress)
        return Base(tokenizer, model, f"gguf:{path.name}", licence_in_gguf(path), eos_ids)
    if not path.exists() and store.path(base).is_dir() and "/" not in base:
        manifest = Manifest.load(store.path(base))
        source = source_weights(manifest)
        if source is None:
            raise UserError(
                tr(
                    "{name} was made from {source}, whose weights the store does not keep: tune from the "
                    "GGUF file or the model folder it came from"
                ).format(name=base, source=(manifest.source if manifest else "") or tr("an ONNX folder"))
            )
        found = load_base(source, store, progress)
        found.label = base  # the writer knows it by its name in the store
        return found
    from transformers import AutoModelForCausalLM, AutoTokenizer

    local = path.is_dir()
    progress("[read] " + tr("reading {source} in float32…").format(source=base))
    try:
        with library_output_logged(f"transformers reading {base}"):
            where = str(path) if local else base
            tokenizer = AutoTokenizer.from_pretrained(where, local_files_only=local)
            model = AutoModelForCausalLM.from_pretrained(where, local_files_only=local)
    except (OSError, ValueError) as exc:
        where = tr("the folder") if local else tr("the model hub (is the network reachable?)")
        raise UserError(
            tr("could not load {source} from {where}: {problem}").format(
                source=base, where=where, problem=str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            )
        ) from exc
    return Base(
        tokenizer, model, path.name if local else base, licence_in_readme(path) if local else "", None
    )


def _export_progress(progress: Progress) -> Progress:
    """The exporter's stage lines, set under the tune's own export stage (its bar goes on from training
    instead of going back to the export's start); its details as they are."""

    def say(line: str) -> None:
        progress("[export] " + line.strip() if stage_of(line.strip()) is not None else line)

    return say


def _peak_rss_mb() -> float:
    """The process's peak resident memory so far (reading the base included)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1 << 20) if sys.platform == "darwin" else peak / 1024


def _fingerprint(base: str, split: Split, plan: TunePlan) -> str:
    fields = {"base": base, "texts": split.fingerprint(), "plan": plan.as_dict()}
    return hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()


def tune_model(
    base: str,
    texts: list[Path],
    *,
    name: str,
    store: ModelStore | None = None,
    progress: Progress = print,
    changes: dict[str, int | float | None] | None = None,
    cancel: threading.Event | None = None,
    overwrite: bool = False,
    quantize: str = DEFAULT_QUANTIZATION,
) -> Path:
    """Tune BASE on the texts into the store as NAME; returns the new model folder. A checkpoint of the
    same texts, base and settings is resumed; Cancelled (the cancel event set) keeps it."""
    store = store or ModelStore()
    name = check_name(name)
    if store.path(name).exists() and not overwrite:
        raise UserError(
            tr("a model named {name} is installed; choose another name or replace it with --force").format(
                name=name
            )
        )
    store.require_writable()
    require_export_tools()
    try:
        import peft  # noqa: F401
        import torch
    except ImportError as exc:
        raise UserError(
            tr("tuning needs the 'peft' package; {hint}").format(hint=export_extra_hint())
        ) from exc
    quiet_libraries()
    started = time.perf_counter()

    progress("[texts] " + tr("reading your texts…"))
    split = split_by_document(read_texts(texts, progress))
    train_chars = sum(len(t.text) for t in split.train)
    held_chars = sum(len(t.text) for t in split.held_out)
    progress(
        "      "
        + tr("{files} files: {train} characters to learn from, {held} held out to measure ({how})").format(
            files=len(split.train) + len(split.held_out),
            train=train_chars,
            held=held_chars,
            how=tr(split.how),
        )
    )
    loaded = load_base(base, store, progress)
    model = loaded.model.float()
    parameters = sum(p.numel() for p in model.parameters())
    config = model.config
    context = getattr(config, "n_positions", None) or getattr(config, "max_position_embeddings", 0)
    changes = dict(changes or {})
    sequence = default_plan(parameters, 0).with_changes(**changes).sequence
    if context and sequence > context:
        changes["sequence"] = sequence = context  # a block is never longer than the model reads
    train = token_blocks(loaded.tokenizer, [t.text for t in split.train], sequence, loaded.eos_id)
    plan = default_plan(parameters, train.numel()).with_changes(**changes)
    torch.set_num_threads(plan.threads)
    torch.manual_seed(plan.seed)
    held = token_blocks(loaded.tokenizer, [t.text for t in split.held_out], plan.sequence, loaded.eos_id)
    held = held[:HELD_OUT_BLOCKS]
    language = language_of_texts(split.train)
    neutral = token_blocks(loaded.tokenizer, [neutral_text(language)], plan.sequence, loaded.eos_id)
    seconds = estimate_seconds(plan, parameters, held.numel(), measured_flops(plan.threads))
    progress(
        "      "
        + tr(
            "about {minutes} min on {threads} threads: at most {steps} steps of {batch} blocks of "
            "{sequence} tokens, adapters of rank {rank}"
        ).format(
            minutes=max(1, round(seconds / 60)),
            threads=plan.threads,
            steps=plan.max_steps,
            batch=plan.batch,
            sequence=plan.sequence,
            rank=plan.rank,
        )
    )

    from peft import LoraConfig, get_peft_model

    adapted = get_peft_model(
        model,
        LoraConfig(
            r=plan.rank,
            lora_alpha=plan.alpha,
            lora_dropout=plan.dropout,
            target_modules="all-linear",
            task_type="CAUSAL_LM",
        ),
    )
    workdir = tuning_dir(name)
    fingerprint = _fingerprint(loaded.label, split, plan)
    trainer = Trainer(adapted, train, held, plan, workdir, fingerprint, progress, cancel, neutral=neutral)
    if trainer.resume():
        progress(
            "      "
            + tr("resuming at step {step} of {steps}").format(step=trainer.step, steps=plan.max_steps)
        )
    else:
        progress("[before] " + tr("measuring the base model on your held-out texts…"))
        with adapted.disable_adapter():
            trainer.extra = {
                "held_out": mean_loss(adapted, held, plan.batch),
                "neutral": mean_loss(adapted, neutral, plan.batch),
            }
        trainer.save()
    outcome = trainer.run()
    trained_rss = _peak_rss_mb()  # the training's own peak, before the export's
    before = trainer.extra
    after = {"held_out": outcome.best_loss, "neutral": mean_loss(adapted, neutral, plan.batch)}
    figures = {
        which: {"before": perplexity(before[which]), "after": perplexity(after[which])}
        for which in ("held_out", "neutral")
    }
    record = {
        "base": loaded.label,
        "trained_on": [t.describe() for t in split.train],
        "held_out": [t.describe() for t in split.held_out],
        "split": split.how,
        "language": language,
        "settings": plan.as_dict(),
        "steps": outcome.steps,
        "stopped": outcome.stopped,
        "perplexity": figures,
        "history": outcome.history,
        "minutes": (time.perf_counter() - started) / 60,
        "peak_rss_mb_training": trained_rss,
    }
    progress("[merge] " + tr("merging the adapters into the weights…"))
    merged = adapted.merge_and_unload()
    with tempfile.TemporaryDirectory(prefix="writer-app-tuned-") as folder:
        merged.save_pretrained(folder)
        loaded.tokenizer.save_pretrained(folder)
        # The export reads the folder again: the weights, the optimizer and the blocks held here go
        # first (on SmolLM2 the whole command peaked 1 GB above its training without this).
        del merged, adapted, model, trainer, train, held, neutral
        loaded.model = None
        gc.collect()
        made = export_model(
            folder,
            name=name,
            store=store,
            overwrite=overwrite,
            progress=_export_progress(progress),
            overrides=ExportOverrides(
                source_label=f"tuned:{loaded.label}",
                eos_token_ids=loaded.eos_ids,
                licence=loaded.licence,
                tuning=record,
            ),
            quantize=quantize,
        )
    discard_tuning(name)
    return made


def headline(record: dict[str, Any]) -> str:
    """What the tune did, as the writer reads it: how much less surprising their held-out texts are,
    and what the neutral text cost."""
    held, neutral = record["perplexity"]["held_out"], record["perplexity"]["neutral"]
    gain = 1 - held["after"] / held["before"]
    cost = neutral["after"] / neutral["before"] - 1
    return tr(
        "your held-out texts are {gain}% less surprising to the tuned model (perplexity {before} → "
        "{after}); a neutral text {cost}% {direction} (perplexity {n_before} → {n_after})"
    ).format(
        gain=f"{100 * gain:.0f}",
        before=f"{held['before']:.1f}",
        after=f"{held['after']:.1f}",
        cost=f"{100 * abs(cost):.0f}",
        direction=tr("more surprising") if cost > 0 else tr("less surprising"),
        n_before=f"{neutral['before']:.1f}",
        n_after=f"{neutral['after']:.1f}",
    )
