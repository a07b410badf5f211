# A small PyTorch DistributedDataParallel job, one process per container, started the `env://` way:
# RANK, WORLD_SIZE, MASTER_ADDR and MASTER_PORT in the environment, gloo (CPU). Rank 0 hosts the
# rendezvous store on MASTER_PORT and shows a tqdm bar per epoch with the loss in its postfix, as most
# training scripts do (a bar's rewrites end with a newline when its epoch ends: only then does Docker
# write the line to the container's log); the other ranks print their start line and their errors.
# `tfmon up --framework pytorch` and tfmon's tests run it. Knobs (environment):
#   TRAIN_EPOCHS           epochs to run (default: until stopped)
#   TRAIN_STEPS_PER_EPOCH  steps in an epoch (default 100)
#   TRAIN_WIDTH            the model's width: the CPU each step costs (default 256)
#   TRAIN_INIT_TIMEOUT_S   how long init_process_group waits for every rank (default 1800, torch's own)
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
epochs = int(os.environ.get("TRAIN_EPOCHS", "0"))
per_epoch = int(os.environ.get("TRAIN_STEPS_PER_EPOCH", "100"))
width = int(os.environ.get("TRAIN_WIDTH", "256"))
timeout = datetime.timedelta(seconds=int(os.environ.get("TRAIN_INIT_TIMEOUT_S", "1800")))

print(f"rank {rank}/{world}: joining {os.environ['MASTER_ADDR']}:{os.environ['MASTER_PORT']} (gloo)", flush=True)
dist.init_process_group("gloo", timeout=timeout)
torch.manual_seed(rank)
model = DistributedDataParallel(torch.nn.Sequential(torch.nn.Linear(width, width), torch.nn.ReLU(), torch.nn.Linear(width, 1)))
optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
for epoch in range(epochs) if epochs else itertools.count():
    bar = tqdm(range(per_epoch), disable=rank != 0, file=sys.stderr, mininterval=1.0, desc=f"Epoch {epoch}")
    for step in bar:
        x = torch.randn(64, width)
        loss = F.mse_loss(model(x), x.sum(dim=1, keepdim=True) / width)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        bar.set_postfix(loss=f"{loss.item():.4f}", refresh=False)
    bar.close()
dist.destroy_process_group()
print(f"rank {rank}: done", flush=True)
