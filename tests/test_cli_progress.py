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
