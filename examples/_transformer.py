"""A tiny transformer encoder classifier the mask examples share: token IDs
and an attention_mask (1 = real token, Hugging Face's convention) in a dict
batch, a CLS token at position 0 whose final state is the pooled output.
`mask_for` turns the batch's attention_mask into what nn.TransformerEncoder
takes as src_key_padding_mask (True = ignore)."""
import torch
from torch import nn
from torch.utils.data import DataLoader

from _sequences import MAX_LEN, VOCAB, padded_tokens, sentiment

CLS = VOCAB          # one extra token ID


class Classifier(nn.Module):
    def __init__(self, mask_for, d=32):
        super().__init__()
        self.mask_for = mask_for
        self.embed = nn.Embedding(VOCAB + 1, d, padding_idx=0)
        self.position = nn.Parameter(torch.randn(1, MAX_LEN, d) * 0.02)
        layer = nn.TransformerEncoderLayer(d, nhead=4, dim_feedforward=64, dropout=0.0, batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, num_layers=2, enable_nested_tensor=False)
        self.head = nn.Linear(d, 2)

    def forward(self, input_ids, attention_mask):
        x = self.embed(input_ids) + self.position[:, :input_ids.shape[1]]
        h = self.encoder(x, src_key_padding_mask=self.mask_for(attention_mask))
        return self.head(h[:, 0])                 # the CLS token's state


def data(seed, n=1024, batch_size=32, shuffle=True):
    g = torch.Generator().manual_seed(seed)
    # Padded to a fixed maximum longer than every sentence (padding="max_length").
    ids, mask = padded_tokens(n, g, low=5, high=MAX_LEN - 4)
    y = sentiment(ids, mask)
    ids = torch.cat([torch.full((n, 1), CLS), ids[:, :-1]], dim=1)
    mask = torch.cat([torch.ones(n, 1, dtype=mask.dtype), mask[:, :-1]], dim=1)
    rows = [{"input_ids": a, "attention_mask": m, "labels": l} for a, m, l in zip(ids, mask, y)]
    return DataLoader(rows, batch_size=batch_size, shuffle=shuffle)


def split_batch(batch):
    return {"input_ids": batch["input_ids"], "attention_mask": batch["attention_mask"]}, batch["labels"]


def setup(seed, mask_for):
    torch.manual_seed(seed)
    return {
        "model": Classifier(mask_for),
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.AdamW(params, lr=1e-3, weight_decay=0.01),
        "train_data": data(seed),
        "val_data": data(seed + 100, n=256, shuffle=False),
        "split_batch": split_batch,
        "task": "classification",
    }
