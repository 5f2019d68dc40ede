"""Assist → Review Ad Claims: mark, in the selection or the whole text, the claims advertising law
forbids (assist/claims.py) and the writer's own blocked phrases, each with its reason on hover."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtWidgets import QStatusBar

from writer_app.assist.claims import Finding, review
from writer_app.assist.wording import task_language
from writer_app.settings import Settings, blocked_phrases
from writer_app.ui.ghost_editor import EditorDocument, GhostTextEdit
from writer_app.ui.i18n import tr


def review_claims(editor: GhostTextEdit, settings: Settings, status: QStatusBar) -> list[Finding]:
    document = EditorDocument(editor)
    selection = document.selection()
    start, end = selection if selection is not None else (0, document.length())
    # The writer's list is marked whether or not generation is told to avoid it (Settings).
    own = blocked_phrases(replace(settings, block_list=True))
    findings = review(document.text(start, end), task_language(), own)
    editor.show_review([(start + f.start, start + f.end, f.reason) for f in findings])
    if findings:
        said = tr("{count} phrases to review, underlined in red: hover over one for the reason.")
        status.showMessage(said.format(count=len(findings)), 10000)
    else:
        status.showMessage(tr("No claim the advertising rules list, and no phrase of your block list."), 8000)
    return findings
