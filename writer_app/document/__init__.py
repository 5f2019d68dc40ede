"""The writer's text on disk and in memory, without Qt: exact reading and saving (encodings, byte order
marks, line breaks), the recovery copies and their journal, and positions counted both ways (UTF-16 units
as Qt counts, code points as Python does)."""
