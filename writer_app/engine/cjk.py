"""Scripts written without spaces between words, as regex character-class bodies. Plain strings: the
assist layer and the window read them without loading a tokenizer."""

# Kana, bopomofo, CJK ideographs (with the supplementary planes' extensions: 𠀀, 𪚥), hangul...
CJK_LETTERS = (
    "\u3040-\u30ff\u3100-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0003ffff"
)
# ...and their punctuation and full-width forms.
CJK_PUNCTUATION = "\u2e80-\u2fff\u3000-\u303f\ufe30-\ufe4f\uff00-\uffef"
