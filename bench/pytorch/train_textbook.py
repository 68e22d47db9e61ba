#!/usr/bin/python3
"""An independent, textbook PyTorch training run of the small CNN on Fashion-MNIST, for checking
NoiseSam's step against the same algorithm written the usual way (davda54/sam style: per-parameter
loops, ε = ρ g/‖g‖, the second pass with batch-norm momentum 0).

Variants: sgd, sam, mbs (ascent on a random micro-batch of fraction f, descent on the whole
batch), mbs-same (ascent and descent on the same random micro-batch). In mbs-same no pass sees the
whole batch; the ascent pass (at w) updates the batch-norm running statistics, the descent pass
(at w + ε) does not, as in NoiseSam since the batch-norm fix of issue 19.

Runs with Debian's python3-torch:
  /usr/bin/python3 bench/pytorch/train_textbook.py --variant mbs-same --train-limit 20000 --epochs 4 --seed 0
Prints one JSON object with the final test accuracy and the training loss per epoch.
"""
import argparse
import gzip
import json
import math
import os
import struct

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from sam_step_bench import SmallCnn

MEAN, STD = 0.2860, 0.3530


def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    magic, = struct.unpack(">I", data[:4])
    dims = magic & 0xFF
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def load(directory, prefix, limit):
    def find(stem):
        for name in (stem + ".gz", stem):
            if os.path.exists(os.path.join(directory, name)):
                return os.path.join(directory, name)
        raise FileNotFoundError(f"{stem}[.gz] in {directory}")
    images = read_idx(find(f"{prefix}-images-idx3-ubyte"))
    labels = read_idx(find(f"{prefix}-labels-idx1-ubyte"))
    if limit:
        images, labels = images[:limit], labels[:limit]
    x = (torch.from_numpy(images.copy()).float().div_(255.0).sub_(MEAN).div_(STD)).unsqueeze(1)
    return x, torch.from_numpy(labels.astype(np.int64))


def lr_at(step, peak, total, warmup_fraction=0.05):
    # NoiseSam's schedule: linear warm-up over round(0.05·T) steps, then cosine to 0.
    warm = round(warmup_fraction * total)
    if step < warm:
        return peak * (step + 1) / warm
    decay = total - warm
    if decay <= 1:
        return peak
    p = min(max((step - warm) / decay, 0.0), 1.0)
    return peak * 0.5 * (1 + math.cos(math.pi * p))


def set_bn_momentum(model, momentum):
    saved = []
    for m in model.modules():
        if isinstance(m, nn.modules.batchnorm._BatchNorm):
            saved.append((m, m.momentum))
            m.momentum = momentum if momentum is not None else m.momentum
    return saved


def restore_bn(saved):
    for m, momentum in saved:
        m.momentum = momentum


def grad_norm(params):
    return torch.norm(torch.stack([p.grad.norm(2) for p in params if p.grad is not None]), 2)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--variant", choices=["sgd", "sam", "mbs", "mbs-same"], default="mbs-same")
    ap.add_argument("--data-dir", default="/usr/share/datasets/fashion-mnist")
    ap.add_argument("--train-limit", type=int, default=20000)
    ap.add_argument("--epochs", type=int, default=4)
    ap.add_argument("--batch-size", type=int, default=128)
    ap.add_argument("--lr", type=float, default=0.05)
    ap.add_argument("--rho", type=float, default=0.05)
    ap.add_argument("--fraction", type=float, default=0.25)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()

    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    x, y = load(args.data_dir, "train", args.train_limit)
    tx, ty = load(args.data_dir, "t10k", None)
    model = SmallCnn(1, 10, 28)
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.SGD(params, lr=args.lr, momentum=0.9, weight_decay=5e-4)
    n = x.shape[0]
    steps_per_epoch = (n + args.batch_size - 1) // args.batch_size
    total = steps_per_epoch * args.epochs
    gen = torch.Generator().manual_seed(args.seed)
    step, losses = 0, []
    model.train()
    for epoch in range(args.epochs):
        order = torch.randperm(n, generator=gen)
        epoch_loss = 0.0
        for b in range(steps_per_epoch):
            idx = order[b * args.batch_size:(b + 1) * args.batch_size]
            xb, yb = x[idx], y[idx]
            for g in opt.param_groups:
                g["lr"] = lr_at(step, args.lr, total)
            if args.variant == "sgd":
                opt.zero_grad()
                loss = F.cross_entropy(model(xb), yb)
                loss.backward()
                opt.step()
            else:
                m = xb.shape[0] if args.variant == "sam" else max(1, min(xb.shape[0], math.ceil(args.fraction * xb.shape[0] - 1e-9)))
                rows = torch.randperm(xb.shape[0], generator=gen)[:m]
                xa, ya = (xb, yb) if args.variant == "sam" else (xb[rows], yb[rows])
                # Ascent at w: this pass updates the batch-norm statistics unless the descent sees the
                # whole batch (mbs), in which case the descent is the one clean full-batch pass.
                saved = set_bn_momentum(model, 0.0) if args.variant == "mbs" else []
                opt.zero_grad()
                loss = F.cross_entropy(model(xa), ya)
                loss.backward()
                restore_bn(saved)
                with torch.no_grad():
                    scale = args.rho / (grad_norm(params) + 1e-12)
                    eps = [p.grad * scale for p in params]
                    backup = [p.detach().clone() for p in params]
                    for p, e in zip(params, eps):
                        p.add_(e)
                xd, yd = (xb, yb) if args.variant in ("sam", "mbs") else (xa, ya)
                saved = set_bn_momentum(model, 0.0) if args.variant != "mbs" else []
                opt.zero_grad()
                F.cross_entropy(model(xd), yd).backward()
                restore_bn(saved)
                with torch.no_grad():
                    for p, w in zip(params, backup):
                        p.copy_(w)
                opt.step()
            epoch_loss += float(loss)
            step += 1
        losses.append(epoch_loss / steps_per_epoch)
    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, tx.shape[0], 500):
            correct += int((model(tx[i:i + 500]).argmax(1) == ty[i:i + 500]).sum())
    print(json.dumps({"variant": args.variant, "seed": args.seed, "train_limit": n, "epochs": args.epochs,
                      "test_accuracy": correct / tx.shape[0], "train_loss": losses}))


if __name__ == "__main__":
    main()
