#!/usr/bin/env python3
"""A denoising autoencoder trained with coarse noise (Kascenas et al., MedIA 2023), in PyTorch, as an
external method of the framework: it speaks the file protocol uad-external/1 (plugins/external/README.md).

    python3 torch_dae.py train JOB    # reads JOB/job.json, fills the model folder it names
    python3 torch_dae.py score JOB    # reads JOB/job.json, writes the scores file it names

The framework appends JOB. Hyper-parameters come from job.json's "params" (the grid entry's
config.params), with the defaults in DEFAULTS: the TypeScript DAE's `dae-cpu-small` preset. Noise: the
grid's noise source as job.json describes it ("coarse" and "gaussian" are drawn here; any other noise
needs the framework's draws, config.noiseSamples > 0). Works on 2D slices and 3D volumes.
"""
import json
import math
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

PROTOCOL = "uad-external/1"
DEFAULTS = {
    "widths": [8, 16, 32],  # channels per U-Net level (paper 2D: 64, 128, 256, 512)
    "steps": 200,
    "batchSize": 16,
    "lr": 1e-3,  # peak of the cosine schedule (paper 2D: 1e-4)
    "weightDecay": 1e-5,
    "clipNorm": 0.5,
    "medianKernel": 5,
    "erodeKernel": 5,
    "erodeKeep": 0.95,
    "threads": 0,  # torch threads; 0: torch's default
    "device": "cpu",  # torch device, e.g. "cuda"
}


def group_count(channels):
    """GroupNorm groups: the median divisor of the channel count (as the paper's code)."""
    divisors = [d for d in range(1, channels + 1) if channels % d == 0]
    return divisors[len(divisors) // 2]


class StandardisedConv(nn.Module):
    """A 3x3(x3) convolution with weight standardisation, after reflect padding by 1."""

    def __init__(self, dims, cin, cout):
        super().__init__()
        self.dims = dims
        self.weight = nn.Parameter(torch.empty(cout, cin, *([3] * dims)))
        self.bias = nn.Parameter(torch.empty(cout))
        bound = 1 / math.sqrt(cin * 3**dims)
        nn.init.uniform_(self.weight, -bound, bound)
        nn.init.uniform_(self.bias, -bound, bound)

    def forward(self, x):
        axes = tuple(range(1, self.weight.dim()))
        w = self.weight - self.weight.mean(axes, keepdim=True)
        w = w / (w.std(axes, keepdim=True) + 1e-5)
        x = F.pad(x, [1] * (2 * self.dims), mode="reflect")
        return (F.conv2d if self.dims == 2 else F.conv3d)(x, w, self.bias)


def block(dims, cin, cout):
    """Two rounds of padded standardised conv -> Swish -> GroupNorm."""
    layers = []
    for i, o in ((cin, cout), (cout, cout)):
        layers += [StandardisedConv(dims, i, o), nn.SiLU(), nn.GroupNorm(group_count(o), o)]
    return nn.Sequential(*layers)


class UNet(nn.Module):
    """The paper's U-Net: average-pool down, 2x transposed conv up with skips, 1x1 conv out."""

    def __init__(self, dims, channels, widths):
        super().__init__()
        self.dims = dims
        ins = [channels] + widths[:-1]
        self.down = nn.ModuleList(block(dims, i, w) for i, w in zip(ins, widths))
        up_conv = nn.ConvTranspose2d if dims == 2 else nn.ConvTranspose3d
        levels = range(len(widths) - 2, -1, -1)
        self.up = nn.ModuleList(up_conv(widths[i + 1], widths[i], 2, 2) for i in levels)
        self.up_blocks = nn.ModuleList(block(dims, 2 * widths[i], widths[i]) for i in levels)
        self.out = (nn.Conv2d if dims == 2 else nn.Conv3d)(widths[0], channels, 1)

    def forward(self, x):  # [B, C, ...S] -> [B, C, ...S]
        pool = F.avg_pool2d if self.dims == 2 else F.avg_pool3d
        skips = []
        for i, down in enumerate(self.down):
            x = down(x)
            if i < len(self.down) - 1:
                skips.append(x)
                x = pool(x, 2)
        for up, up_block in zip(self.up, self.up_blocks):
            x = up_block(torch.cat([up(x), skips.pop()], 1))
        return self.out(x)


def coarse_noise(shape, config, dims, gen):
    """N(0, sigma^2) on a res^dims grid, upsampled (aligned corners) to `shape` and rolled at random."""
    batch, channels, *spatial = shape
    res = config["resolution"] if dims == 2 else config["resolution3d"]
    low = torch.randn(batch, channels, *([res] * dims), generator=gen) * config["sigma"]
    mode = "bilinear" if dims == 2 else "trilinear"
    noise = F.interpolate(low, size=spatial, mode=mode, align_corners=True)
    axes = list(range(2, 2 + dims))
    if not config.get("shiftPerSample", False):
        shifts = [int(torch.randint(n, (), generator=gen)) for n in spatial]
        return torch.roll(noise, shifts, axes)
    rows = [torch.roll(noise[i : i + 1], [int(torch.randint(n, (), generator=gen)) for n in spatial], axes)
            for i in range(batch)]
    return torch.cat(rows)


class Noise:
    """The grid's noise source, drawn here (coarse, gaussian) or from the framework's draws."""

    def __init__(self, job, dims, gen):
        self.dims, self.gen = dims, gen
        self.id, self.config = job["noise"]["id"], job["noise"]["config"] or {}
        self.bank = None
        if job["noiseSamples"]:
            self.bank = torch.from_numpy(np.load(job["noiseSamples"])).movedim(-1, 1)  # [K, C, ...S]
        elif self.id not in ("coarse", "gaussian"):
            sys.exit(f"torch_dae: noise '{self.id}' is not drawn here; set config.noiseSamples > 0")

    def sample(self, shape):
        if self.bank is not None:
            return self.bank[torch.randint(len(self.bank), (shape[0],), generator=self.gen)]
        if self.id == "gaussian":
            return torch.randn(shape, generator=self.gen) * self.config["sigma"]
        return coarse_noise(shape, self.config, self.dims, self.gen)


def load_set(files):
    """A sample set as tensors: images [N, C, ...S], foreground [N, 1, ...S]."""
    images = torch.from_numpy(np.load(files["images"])).movedim(-1, 1).contiguous()
    foreground = torch.from_numpy(np.load(files["foreground"]).astype(np.float32)).unsqueeze(1)
    return images, foreground


def masked_loss(net, images, foreground, noise):
    """MSE of restoring noise-corrupted images (noise inside the foreground only), over the foreground."""
    restored = net(images + noise * foreground)
    return ((restored - images) ** 2 * foreground).mean()


def train(job, params):
    dims, channels = job["dims"], job["sampleShape"][-1]
    torch.manual_seed(job["seed"])
    gen = torch.Generator().manual_seed(job["seed"])
    device = torch.device(params["device"])
    net = UNet(dims, channels, params["widths"]).to(device)
    opt = torch.optim.Adam(net.parameters(), lr=params["lr"], weight_decay=params["weightDecay"], amsgrad=True)
    noise = Noise(job, dims, gen)
    images, foreground = load_set(job["data"]["train"])
    steps, batch = params["steps"], min(params["batchSize"], len(images))
    order, at = torch.randperm(len(images), generator=gen), 0
    for step in range(steps):
        if at + batch > len(images):  # a new epoch; the last short batch is dropped
            order, at = torch.randperm(len(images), generator=gen), 0
        idx = order[at : at + batch]
        at += batch
        for group in opt.param_groups:
            group["lr"] = params["lr"] * (1 + math.cos(math.pi * step / steps)) / 2
        x, fg = images[idx].to(device), foreground[idx].to(device)
        loss = masked_loss(net, x, fg, noise.sample(x.shape).to(device))
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(net.parameters(), params["clipNorm"])
        opt.step()
        if not math.isfinite(loss.item()):
            sys.exit(f"torch_dae: training diverged at step {step + 1} (loss {loss.item()})")
        if (step + 1) % max(1, steps // 50) == 0 or step + 1 == steps:
            print("@progress", json.dumps({"step": step + 1, "steps": steps, "loss": loss.item()}))
    final = loss.item()
    val_images, val_foreground = load_set(job["data"]["validation"])
    n = min(len(val_images), 4 * batch)
    with torch.no_grad():
        vgen = torch.Generator().manual_seed(job["seed"] + 1)
        val_noise = Noise(job, dims, vgen)
        x, fg = val_images[:n].to(device), val_foreground[:n].to(device)
        validation = masked_loss(net, x, fg, val_noise.sample(x.shape).to(device)).item() if n else None
    torch.save(net.state_dict(), f"{job['model']}/weights.pt")
    with open(f"{job['model']}/net.json", "w") as f:
        json.dump({"dims": dims, "channels": channels, "widths": params["widths"]}, f)
    summary = {"steps": steps, "finalLoss": final}
    if validation is not None:
        summary["validationLoss"] = validation
    with open(job["summary"], "w") as f:
        json.dump(summary, f)


def median_filter(maps, k, dims):
    """Median over a k^dims window, reflect padding: [B, 1, ...S] -> [B, 1, ...S]."""
    r = (k - 1) // 2
    x = F.pad(maps, [r] * (2 * dims), mode="reflect")
    for axis in range(2, 2 + dims):
        x = x.unfold(axis, k, 1)
    return x.reshape(*maps.shape, -1).median(-1).values


def score(job, params):
    with open(f"{job['model']}/net.json") as f:
        shape = json.load(f)
    device = torch.device(params["device"])
    net = UNet(shape["dims"], shape["channels"], shape["widths"]).to(device)
    net.load_state_dict(torch.load(f"{job['model']}/weights.pt", map_location=device))
    net.eval()
    dims = job["dims"]
    images, foreground = (t.to(device) for t in load_set(job))
    with torch.no_grad():
        residual = (images - net(images)).abs().mean(1, keepdim=True)  # [B, 1, ...S]
        k = params["erodeKernel"]
        pool = F.avg_pool2d if dims == 2 else F.avg_pool3d
        inside = pool(F.pad(foreground, [(k - 1) // 2] * (2 * dims)), k, 1) > params["erodeKeep"]
        maps = residual * inside
        if params["medianKernel"] > 1:
            maps = median_filter(maps, params["medianKernel"], dims)
        maps = (maps * foreground)[:, 0]  # [B, ...S]
    np.save(job["scores"], maps.cpu().numpy().astype(np.float32))


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("train", "score"):
        sys.exit("usage: torch_dae.py train|score JOB_FOLDER")
    with open(f"{sys.argv[2]}/job.json") as f:
        job = json.load(f)
    if job["protocol"] != PROTOCOL:
        sys.exit(f"torch_dae: protocol {job['protocol']} is not {PROTOCOL}")
    params = {**DEFAULTS, **job["params"]}
    unknown = set(job["params"]) - set(DEFAULTS)
    if unknown:
        sys.exit(f"torch_dae: unknown params {sorted(unknown)}; known: {sorted(DEFAULTS)}")
    if params["threads"]:
        torch.set_num_threads(params["threads"])
    (train if sys.argv[1] == "train" else score)(job, params)


if __name__ == "__main__":
    main()
