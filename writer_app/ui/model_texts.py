"""What the model windows (Assist → Models…, the first run) say of models: their roles, languages,
sizes, weights and speed here, and of an install that failed."""

from __future__ import annotations

from writer_app import sizes
from writer_app.models.catalog import CatalogEntry, hub_unreachable, recommended_roles
from writer_app.models.machine_fit import Fit
from writer_app.models.store import StoreEntry
from writer_app.models.variant import describe
from writer_app.ui.i18n import tr


def failure_headlines() -> list[tuple[str, str]]:
    """(words by which a failure is known in what an install job printed, what the window says of it
    in the interface's language). The job's own words follow, in English, as the detail."""
    nonsense = tr("Not installed: the converted model does not read or compute text as its source does.")
    return [
        ("not enough disk space", tr("Not installed: the disk does not have room for it.")),
        ("is incomplete or damaged", tr("Not imported: the file is incomplete or damaged.")),
        ("is not a GGUF file", tr("Not imported: that file is not a GGUF model file.")),
        ("computes differently from", nonsense),
        ("the exported tokenizer reads", nonsense),
        ("says its tokenizer", nonsense),
        ("splits words its vocabulary holds whole", nonsense),
        ("cannot write models into", tr("Not installed: the model folder cannot be written to.")),
        ("by another process", tr("This model is being installed or removed by another window.")),
        ("which cannot be exported", tr("Not installed: writer_app cannot convert models of this kind.")),
        ("cannot import", tr("Not imported: the folder is not a complete model.")),
    ]


def job_failure_text(message: str, entry: CatalogEntry | None) -> str:
    """What the window says of a failed install: for a model the hub would have given, in the
    interface's language, how to bring it on a USB stick instead; for a known failure its headline in
    the interface's language above the command's own words; else those words."""
    if entry is None or hub_unreachable() not in message:
        headline = next((said for words, said in failure_headlines() if words in message), None)
        return f"{headline}\n{message}" if headline else message
    return tr(
        "{model} downloads {size} from the model hub, which this computer cannot reach. To bring it "
        "another way: on a computer with a network, download a GGUF file of the model (for example "
        "one named like {model}-Q8_0.gguf), copy it here (a USB stick will do) and press "
        "“Import GGUF file…”; an ONNX model folder from writer_app on another computer imports with "
        "“Import ONNX folder…”."
    ).format(model=entry.label, size=size_text(entry.download_mb))


def good_for_text(entry: CatalogEntry, fit: Fit) -> str:
    """The roles this computer can give the entry, and why one it is made for is missing."""
    if not fit.fits_memory:
        return tr("needs more memory than this computer has")
    roles = recommended_roles(entry, fit)
    text = ", ".join(role_names()[r] for r in roles)
    if "continuation" in entry.roles and "continuation" not in roles:
        text = (text + " " if text else "") + tr("(too slow here for ghost text)")
    return text


def speed_text(fit: Fit) -> str:
    speed = tr("~{ms} ms/token").format(ms=round(fit.decode_ms))
    return speed if fit.measured else speed + " " + tr("(estimate)")


def role_names() -> dict[str, str]:
    return {"continuation": tr("ghost text"), "instruction": tr("rewrites and tasks")}


def languages_text(codes: list[str] | tuple[str, ...]) -> str:
    names = {"en": tr("English"), "zh": tr("Chinese")}
    return ", ".join(names.get(code, code) for code in codes)


def size_text(mb: float) -> str:
    return sizes.size_text(mb * 1e6)


def weights_text(entry: StoreEntry) -> tuple[str, str]:
    """(cell, tooltip) for the weights a model keeps and what was measured to choose them."""
    manifest = entry.manifest
    if manifest is None:
        return tr("plain ONNX"), entry.problem or tr("no manifest: not measured")
    kinds = {"int8": tr("8-bit"), "int4": tr("4-bit"), "none": "float32"}
    kind = kinds.get(manifest.quantization, manifest.quantization)
    quality = manifest.quality
    if "int8_agreement" not in quality:
        return kind, ""
    against = (
        tr("4-bit against float32: ") if manifest.quantization == "int4" else tr("8-bit against float32: ")
    )
    detail = against + describe(quality)
    if manifest.quantization in ("int8", "int4") and "kl_divergence" in quality:
        return f"{kind} (KL {quality['kl_divergence']:.4f})", detail
    return kind, detail


def tuned_text(entry: StoreEntry) -> tuple[str, str] | None:
    """(what the model's name cell adds, its tooltip) for a model tuned on the writer's texts: its base
    and what the tune measured; None for any other model."""
    tuning = entry.manifest.tuning if entry.manifest is not None else {}
    figures = tuning.get("perplexity") if isinstance(tuning, dict) else None
    if not figures:
        return None
    held, neutral = figures["held_out"], figures["neutral"]
    gain = 100 * (1 - held["after"] / held["before"])
    detail = tr(
        "Tuned from {base} on {files} of your files. Your held-out texts are {gain}% less surprising to it "
        "(perplexity {before} → {after}); a neutral text: {n_before} → {n_after}."
    ).format(
        base=tuning.get("base", "?"),
        files=len(tuning.get("trained_on", [])),
        gain=f"{gain:.0f}",
        before=f"{held['before']:.1f}",
        after=f"{held['after']:.1f}",
        n_before=f"{neutral['before']:.1f}",
        n_after=f"{neutral['after']:.1f}",
    )
    return tr("tuned on your writing, {gain}% closer").format(gain=f"{gain:.0f}"), detail


def cannot_build_note() -> str:
    return tr(
        "This copy of writer_app runs models but cannot build them: installing from the catalog and "
        "importing GGUF files need the export tools (pip install 'writer-app[export]'). "
        "An ONNX model folder imports as it is."
    )
