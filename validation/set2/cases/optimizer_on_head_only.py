"""The optimizer factory keeps only the last two parameter tensors (left over from a
"train the head first" experiment): the embedding and Conv1d layers are never updated."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


class MotifCNN(nn.Module):
    def __init__(self, vocab=4, emb=8, ch=32):
        super().__init__()
        self.emb = nn.Embedding(vocab, emb)
        self.conv = nn.Conv1d(emb, ch, kernel_size=5, padding=2)
        self.fc = nn.Linear(ch, 2)

    def forward(self, seq):
        h = self.conv(self.emb(seq).transpose(1, 2)).relu()
        return self.fc(h.max(dim=2).values)


def target(seed=0):
    torch.manual_seed(seed)
    g = torch.Generator().manual_seed(seed)
    n, L = 1500, 40
    seq = torch.randint(0, 4, (n, L), generator=g)  # a DNA-like alphabet
    y = torch.randint(0, 2, (n,), generator=g)
    motif = torch.tensor([0, 2, 3, 1, 2])
    pos = torch.randint(0, L - 5, (n,), generator=g)
    for i in torch.nonzero(y).flatten().tolist():
        seq[i, pos[i]:pos[i] + 5] = motif  # positives carry the motif somewhere
    return {
        "model": MotifCNN(),
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.Adam(list(params)[-2:], lr=3e-3),
        "train_data": DataLoader(TensorDataset(seq[:1200], y[:1200]), batch_size=50, shuffle=True,
                                 generator=torch.Generator().manual_seed(seed)),
        "val_data": DataLoader(TensorDataset(seq[1200:], y[1200:]), batch_size=300),
    }
