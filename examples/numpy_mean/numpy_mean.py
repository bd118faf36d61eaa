import json, sys
import numpy as np

task, job_dir = sys.argv[1], sys.argv[2]
job = json.load(open(f"{job_dir}/job.json"))
assert job["protocol"] == "uad-external/1", job["protocol"]
if task == "train":
    x = np.load(job["data"]["train"]["images"])  # [N, ...S, C] float32
    fg = np.load(job["data"]["train"]["foreground"])[..., None]  # [N, ...S, 1] uint8
    mean = (x * fg).sum(0) / np.maximum(fg.sum(0), 1)  # healthy mean per voxel and channel
    np.save(f"{job['model']}/mean.npy", mean)
else:
    mean = np.load(f"{job['model']}/mean.npy")
    x = np.load(job["images"])
    np.save(job["scores"], np.abs(x - mean).mean(-1).astype(np.float32))  # [B, ...S]
