"""Attention mask inverted: a tiny transformer encoder classifier that passes
the tokenizer's attention_mask (1 = real token) as nn.TransformerEncoder's
src_key_padding_mask, where True means "ignore".

Every real token is hidden and only the padding is attended to: the CLS
token whose state is the pooled output sees nothing of the sentence, and
the loss stays near ln 2.
(Fix: src_key_padding_mask=attention_mask == 0.)
"""
from _transformer import setup


def target(seed: int = 0):
    return setup(seed, mask_for=lambda attention_mask: attention_mask.bool())   # <- True = ignore
