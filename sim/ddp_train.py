# A small PyTorch DistributedDataParallel job, one process per container, started the `env://` way:
# RANK, WORLD_SIZE, MASTER_ADDR and MASTER_PORT in the environment, gloo (CPU). Rank 0 hosts the
# rendezvous store on MASTER_PORT and shows a tqdm bar with the loss in its postfix, as most training
# scripts do; the other ranks print nothing but their start line and their errors. `tfmon up
# --framework pytorch` and tfmon's tests run it. Knobs (environment):
#   TRAIN_STEPS           steps to run (default: until stopped)
#   TRAIN_WIDTH           the model's width: the CPU each step costs (default 256)
#   TRAIN_INIT_TIMEOUT_S  how long init_process_group waits for every rank (default 1800, torch's own)
import datetime
import itertools
import os
import sys

import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel
from tqdm import tqdm

rank = int(os.environ["RANK"])
world = int(os.environ["WORLD_SIZE"])
steps = int(os.environ.get("TRAIN_STEPS", "0"))
width = int(os.environ.get("TRAIN_WIDTH", "256"))
timeout = datetime.timedelta(seconds=int(os.environ.get("TRAIN_INIT_TIMEOUT_S", "1800")))

print(f"rank {rank}/{world}: joining {os.environ['MASTER_ADDR']}:{os.environ['MASTER_PORT']} (gloo)", flush=True)
dist.init_process_group("gloo", timeout=timeout)
torch.manual_seed(rank)
model = DistributedDataParallel(torch.nn.Sequential(torch.nn.Linear(width, width), torch.nn.ReLU(), torch.nn.Linear(width, 1)))
optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
# Without a number of steps, tqdm counts without a total ("1234it [00:20, 61.7it/s, loss=…]").
bar = tqdm(range(steps) if steps else itertools.count(), disable=rank != 0, file=sys.stderr, mininterval=1.0, desc="train")
for step in bar:
    x = torch.randn(64, width)
    loss = F.mse_loss(model(x), x.sum(dim=1, keepdim=True) / width)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    bar.set_postfix(loss=f"{loss.item():.4f}", refresh=False)
dist.destroy_process_group()
print(f"rank {rank}: done", flush=True)
