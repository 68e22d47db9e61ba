#!/usr/bin/python3
"""Peer baseline for `noisesam bench-step`: SGD, SAM and micro-batch SAM steps in PyTorch,
written the textbook way (davda54/sam: per-parameter loops, global norm of per-tensor norms,
batch-norm momentum 0 on the second pass), on the same architectures, batch and thread count.

Runs with Debian's python3-torch:  /usr/bin/python3 bench/pytorch/sam_step_bench.py --model small-cnn
Prints one JSON object: per-variant median/p25/p75 milliseconds per step, measured interleaved,
and the BLAS library PyTorch loaded (Debian's python3-torch calls whatever libblas.so.3 the
alternatives system points to: the reference BLAS unless an optimised one such as
libopenblas0-openmp is installed, and the reference one makes every matrix product ~15x slower).
`--blas-only` prints just the version and the BLAS.
"""
import argparse
import os
import json
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class SmallCnn(nn.Module):
    """Same layers as NoiseSam.Harness.Models small-cnn."""

    def __init__(self, in_channels, classes, image_size):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, 32, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(32)
        self.conv2 = nn.Conv2d(32, 64, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(64)
        side = image_size // 4
        self.fc1 = nn.Linear(64 * side * side, 128)
        self.fc2 = nn.Linear(128, classes)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 2)
        x = F.max_pool2d(F.relu(self.bn2(self.conv2(x))), 2)
        return self.fc2(F.relu(self.fc1(torch.flatten(x, 1))))


class TinyCnn(nn.Module):
    """Same layers as NoiseSam.Harness.Models tiny-cnn (the small-model regime of issue 18)."""

    def __init__(self, in_channels, classes, image_size):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, 8, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(8)
        side = image_size // 2
        self.fc1 = nn.Linear(8 * side * side, 32)
        self.fc2 = nn.Linear(32, classes)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 2)
        return self.fc2(F.relu(self.fc1(torch.flatten(x, 1))))


class Mlp(nn.Module):
    """Same layers as NoiseSam.Harness.Models mlp: 784-256-10 on the flattened image."""

    def __init__(self, in_channels, classes, image_size, hidden=256):
        super().__init__()
        self.fc1 = nn.Linear(in_channels * image_size * image_size, hidden)
        self.fc2 = nn.Linear(hidden, classes)

    def forward(self, x):
        return self.fc2(F.relu(self.fc1(torch.flatten(x, 1))))


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.shortcut = nn.Sequential()
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + self.shortcut(x))


class ResNet18(nn.Module):
    """ResNet-18 with the CIFAR stem (3x3 conv, stride 1, no max-pool)."""

    def __init__(self, in_channels, classes):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, 64, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        layers, cin = [], 64
        for cout, stride in [(64, 1), (128, 2), (256, 2), (512, 2)]:
            layers += [BasicBlock(cin, cout, stride), BasicBlock(cout, cout, 1)]
            cin = cout
        self.layers = nn.Sequential(*layers)
        self.fc = nn.Linear(512, classes)

    def forward(self, x):
        x = self.layers(F.relu(self.bn1(self.conv1(x))))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


def loaded_blas():
    """Path of the BLAS shared library mapped into this process (the one PyTorch calls), or None."""
    try:
        with open("/proc/self/maps", encoding="utf-8") as maps:
            paths = {line.split()[-1] for line in maps if len(line.split()) >= 6}
    except OSError:
        return None
    for path in sorted(paths):
        name = os.path.basename(path)
        if "blas" in name or "mkl_rt" in name or "libmkl" in name:
            return os.path.realpath(path)
    return None


def set_bn_momentum(model, momentum_by_module):
    for m, mom in momentum_by_module.items():
        m.momentum = mom


class Sgd:
    name = "SGD"

    def __init__(self, model, lr=0.05):
        self.model = model
        self.opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9, weight_decay=5e-4)

    def step(self, x, y):
        loss = F.cross_entropy(self.model(x), y)
        loss.backward()
        self.opt.step()
        self.opt.zero_grad()


class Sam:
    """davda54/sam's SAM with a copy restore (kozistr) and BN bypass on the second pass."""

    name = "SAM"

    def __init__(self, model, rho=0.05, fraction=1.0, lr=0.05):
        self.model, self.rho, self.fraction = model, rho, fraction
        self.params = [p for p in model.parameters() if p.requires_grad]
        self.opt = torch.optim.SGD(self.params, lr=lr, momentum=0.9, weight_decay=5e-4)
        self.bns = {m: m.momentum for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)}
        self.generator = torch.Generator().manual_seed(0)
        if fraction < 1:
            self.name = f"MBS f={fraction:g}"

    def step(self, x, y):
        b = x.shape[0]
        if self.fraction < 1:
            m = max(1, int(-(-self.fraction * b // 1)))
            idx = torch.randperm(b, generator=self.generator)[:m]
            xa, ya = x[idx], y[idx]
            set_bn_momentum(self.model, {k: 0.0 for k in self.bns})
        else:
            xa, ya = x, y
        F.cross_entropy(self.model(xa), ya).backward()
        set_bn_momentum(self.model, self.bns)
        with torch.no_grad():
            norm = torch.norm(torch.stack([p.grad.norm(p=2) for p in self.params if p.grad is not None]), p=2)
            scale = self.rho / (norm + 1e-12)
            old = []
            for p in self.params:
                old.append(p.detach().clone())
                if p.grad is not None:
                    p.add_(p.grad * scale)
        self.opt.zero_grad()
        if self.fraction == 1:
            set_bn_momentum(self.model, {k: 0.0 for k in self.bns})
        F.cross_entropy(self.model(x), y).backward()
        set_bn_momentum(self.model, self.bns)
        with torch.no_grad():
            for p, o in zip(self.params, old):
                p.copy_(o)
        self.opt.step()
        self.opt.zero_grad()


def build(model_name, seed):
    torch.manual_seed(seed)
    if model_name == "small-cnn":
        return SmallCnn(1, 10, 28), (1, 28, 28)
    if model_name == "tiny-cnn":
        return TinyCnn(1, 10, 28), (1, 28, 28)
    if model_name == "mlp":
        return Mlp(1, 10, 28), (1, 28, 28)
    if model_name == "resnet18":
        return ResNet18(3, 10), (3, 32, 32)
    raise SystemExit(f"unknown model {model_name!r}: expected small-cnn, tiny-cnn, mlp or resnet18")


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--model", default="small-cnn")
    ap.add_argument("--batch-size", type=int, default=128)
    ap.add_argument("--threads", type=int, default=0, help="0 = number of cores")
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument("--steps", type=int, default=5, help="steps per timed sample")
    ap.add_argument("--fraction", type=float, default=0.25)
    ap.add_argument("--blas-only", action="store_true", help="print the torch version and the loaded BLAS, time nothing")
    args = ap.parse_args()
    if args.blas_only:
        print(json.dumps({"torch": torch.__version__, "blas": loaded_blas()}))
        return
    torch.set_num_threads(args.threads if args.threads > 0 else (os.cpu_count() or 1))

    steppers = []
    for factory in (lambda m: Sgd(m), lambda m: Sam(m), lambda m: Sam(m, fraction=args.fraction)):
        model, shape = build(args.model, 0)
        model.train()
        steppers.append(factory(model))
    gen = torch.Generator().manual_seed(1)
    x = torch.randn((args.batch_size,) + shape, generator=gen)
    y = torch.randint(0, 10, (args.batch_size,), generator=gen)

    for s in steppers:
        for _ in range(args.warmup):
            s.step(x, y)
    samples = {s.name: [] for s in steppers}
    for r in range(args.rounds):
        order = steppers[r % len(steppers):] + steppers[:r % len(steppers)]
        for s in order:
            t0 = time.perf_counter()
            for _ in range(args.steps):
                s.step(x, y)
            samples[s.name].append((time.perf_counter() - t0) * 1000 / args.steps)

    def q(v, p):
        v = sorted(v)
        return v[min(len(v) - 1, int(p * (len(v) - 1) + 0.5))]

    print(json.dumps({
        "torch": torch.__version__, "model": args.model, "batch_size": args.batch_size,
        "threads": torch.get_num_threads(), "blas": loaded_blas(),
        "variants": {k: {"median_ms": statistics.median(v), "p25_ms": q(v, 0.25), "p75_ms": q(v, 0.75)} for k, v in samples.items()},
    }))


if __name__ == "__main__":
    main()
