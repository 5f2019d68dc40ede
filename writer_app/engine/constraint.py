"""What the engine asks of a rule the answer must keep while it is written (a form: writer_app/forms).
The rule judges only the answer so far, never the writer's text; the engine refuses the tokens it does
not allow, writes the text it forces, and ends the answer when it is finished."""

from __future__ import annotations

from typing import Protocol


class TextConstraint(Protocol):
    def allows(self, text: str) -> bool:
        """The answer could still keep the rule if it reads `text` so far."""
        ...

    def forced(self, text: str) -> str | None:
        """Text the rule writes itself next (None: the model chooses)."""
        ...

    def rescue(self, text: str) -> list[str]:
        """Texts that keep the rule when no token the model offers does, any order ([]: none does); the
        engine writes the one whose first token the model likes best."""
        ...

    def finished(self, text: str) -> bool:
        """The answer is whole: nothing more may be written."""
        ...

    def may_end(self, text: str) -> bool:
        """The model may end the answer here."""
        ...

    def grammar(self) -> str | None:
        """The rule as a GBNF grammar for a server that takes one (llama.cpp's), as far as one can say
        it; None: it cannot be said in one."""
        ...
