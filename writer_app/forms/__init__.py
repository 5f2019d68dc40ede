"""Forms a piece of writing keeps: lines, lengths, rhyme, an acrostic, phrases that must appear, a hook
that repeats. A form is data (spec.py), checked on any finished text (check.py) and enforced while the
local engine decodes (constraint.py)."""
