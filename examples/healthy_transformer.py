"""Healthy: a tiny transformer encoder classifier with a correct key-padding
mask. The batch's attention_mask has 1 at real tokens (Hugging Face's
convention); nn.TransformerEncoder's src_key_padding_mask wants True where
a position is to be ignored, so the model passes `attention_mask == 0`.
"""
from _transformer import setup


def target(seed: int = 0):
    return setup(seed, mask_for=lambda attention_mask: attention_mask == 0)
