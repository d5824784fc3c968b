"""Healthy: a tiny causal transformer language model on right-padded
sequences. Labels are the next token, -100 at padding (as Hugging Face's
data collators pad labels); a causal mask and a key-padding mask
(True = ignore) go to nn.TransformerEncoder. Outputs are (batch, time,
vocabulary).
"""
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from _sequences import MAX_LEN, VOCAB, counting_sequences


class TinyLM(nn.Module):
    def __init__(self, d=32):
        super().__init__()
        self.embed = nn.Embedding(VOCAB, d, padding_idx=0)
        self.position = nn.Parameter(torch.randn(1, MAX_LEN, d) * 0.02)
        layer = nn.TransformerEncoderLayer(d, nhead=4, dim_feedforward=64, dropout=0.1, batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, num_layers=2, enable_nested_tensor=False)
        self.head = nn.Linear(d, VOCAB)

    def forward(self, ids, attention_mask):
        T = ids.shape[1]
        causal = nn.Transformer.generate_square_subsequent_mask(T, device=ids.device)
        h = self.encoder(self.embed(ids) + self.position[:, :T], mask=causal,
                         src_key_padding_mask=attention_mask == 0)
        return self.head(h)                               # (B, T, VOCAB)


def examples(n, g):
    ids, mask = counting_sequences(n, g)
    labels = torch.cat([ids[:, 1:], torch.zeros_like(ids[:, :1])], dim=1)
    keep = torch.cat([mask[:, 1:], torch.zeros_like(mask[:, :1])], dim=1).bool()
    labels = torch.where(keep, labels, torch.full_like(labels, -100))
    return TensorDataset(ids, mask, labels)


def target(seed: int = 0):
    torch.manual_seed(seed)
    g = torch.Generator().manual_seed(seed)
    ce = nn.CrossEntropyLoss(ignore_index=-100)
    return {
        "model": TinyLM(),
        "loss_fn": lambda logits, labels: ce(logits.reshape(-1, VOCAB), labels.reshape(-1)),
        "optimizer": lambda params: torch.optim.AdamW(params, lr=3e-3, weight_decay=0.01),
        "train_data": DataLoader(examples(1024, g), batch_size=32, shuffle=True),
        "val_data": DataLoader(examples(256, g), batch_size=64),
        "split_batch": lambda b: ((b[0], b[1]), b[2]),
        "task": "language_modeling",
        "ignore_index": -100,
    }
