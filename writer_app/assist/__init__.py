"""What the writer asked for: rewrite modes, prompt building, the suggestion lifecycle. No Qt."""
