"""Small generated sequence data the sequence examples share: token IDs padded
at the end to a common length, with a tag per position, a next token per
position (a language model) or a label per sequence. Nothing is downloaded.

Token 0 is the padding token; real tokens are 1..VOCAB-1.
"""
import torch

VOCAB = 24
PAD = 0
MAX_LEN = 20


def lengths(n, generator, low=6, high=MAX_LEN):
    return torch.randint(low, high + 1, (n,), generator=generator)


def padded_tokens(n, generator, low=6, high=MAX_LEN):
    """(ids, attention_mask): ids (n, MAX_LEN) with PAD after each row's length; mask 1 = real."""
    ids = torch.randint(1, VOCAB, (n, MAX_LEN), generator=generator)
    lens = lengths(n, generator, low, high)
    mask = (torch.arange(MAX_LEN)[None, :] < lens[:, None]).long()
    return ids * mask, mask


def tags(ids, mask, classes=5, pad_label=-100):
    """A tag per position that depends on the token and the one before it."""
    prev = torch.cat([torch.zeros_like(ids[:, :1]), ids[:, :-1]], dim=1)
    y = (ids + (prev > VOCAB // 2).long()) % classes
    return torch.where(mask.bool(), y, torch.full_like(y, pad_label))


def counting_sequences(n, generator, low=6, high=MAX_LEN):
    """Sequences that count up by one or two (mod VOCAB-1) from a random start: learnable next tokens."""
    start = torch.randint(1, VOCAB, (n, 1), generator=generator)
    stride = torch.randint(1, 3, (n, 1), generator=generator)
    ids = (start - 1 + stride * torch.arange(MAX_LEN)[None, :]) % (VOCAB - 1) + 1
    lens = lengths(n, generator, low, high)
    mask = (torch.arange(MAX_LEN)[None, :] < lens[:, None]).long()
    return ids * mask, mask


def sentiment(ids, mask):
    """1 when the sequence holds more 'high' tokens than 'low' ones among its real tokens."""
    high = ((ids > VOCAB // 2) & mask.bool()).sum(1)
    low = ((ids <= VOCAB // 2) & (ids > 0)).sum(1)
    return (high > low).long()
