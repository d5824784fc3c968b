"""DDP whose forward pass sometimes bypasses the wrapper (net.module(x) on
every other batch, "to save a sync"): those gradients are never all-reduced
and the ranks' weights drift apart. Run: torchrun --nproc_per_node 2 bypass_wrapper.py"""
import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel as DDP
from torch.utils.data import DataLoader
from torch.utils.data.distributed import DistributedSampler

from _common import data, model, setup


def main():
    rank, world = setup()
    dataset = data()
    sampler = DistributedSampler(dataset, num_replicas=world, rank=rank, shuffle=True, seed=0)
    loader = DataLoader(dataset, batch_size=32, sampler=sampler)
    net = DDP(model())
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()
    for epoch in range(20):
        sampler.set_epoch(epoch)
        for i, (x, y) in enumerate(loader):
            opt.zero_grad()
            out = net(x) if i % 2 == 0 else net.module(x)
            loss = loss_fn(out, y)
            loss.backward()
            opt.step()
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
