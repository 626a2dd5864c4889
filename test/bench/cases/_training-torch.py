"""PyTorch on CPU for the training benchmarks (run with Debian's /usr/bin/python3 and python3-torch).

Reads one JSON request from argv[1], prints one JSON answer on stdout:

  {"op": "fit", "data": ".../mnist.bin", "layers": [...], "samples": N, "epochs": E,
   "batchSize": B, "learningRate": LR, "threads": T (optional, default os.cpu_count())}
      -> {"epochMs": [...], ...}: trains the model described by `layers` (the Keras JSON layer
         list the app's engine builds: InputLayer, Conv2D, MaxPooling2D, Flatten, Dense) on the
         first N bundled MNIST digits with Adam and sparse categorical cross-entropy on the
         softmax output, shuffled every epoch, and times each epoch (wall clock).
  {"op": "sgemm", "n": 2048, "repeats": R, "paths": [...] (optional, default all)}
      -> {"gflops": {...}}: float32 n x n products through each native path: torch.mm and
         numpy (both through the BLAS that torch/numpy are linked to; Debian's default is the
         reference BLAS) and oneDNN (torch's mkldnn linear, the best of R after a warm-up),
         which is what an optimised native sgemm reaches here.

torch.set_num_threads(os.cpu_count()) unless a request says otherwise.
"""
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

torch.set_num_threads(os.cpu_count())


def mnist(path, samples):
    raw = np.fromfile(path, dtype=np.uint8)
    if raw[:4].tobytes() != b"MNST":
        raise SystemExit(f"{path} is not the bundled MNIST file")
    total = int(raw[4:8].view("<u4")[0])
    n = min(samples, total)
    labels = raw[8 : 8 + n].astype(np.int64)
    images = raw[8 + total : 8 + total + n * 784].astype(np.float32).reshape(n, 1, 28, 28) / 255.0
    return torch.from_numpy(images), torch.from_numpy(labels)


ACTIVATIONS = {"relu": torch.nn.ReLU, "softmax": None, "linear": None, None: None}


def build(layers):
    """A torch.nn.Sequential equal to the Keras layer list (NCHW instead of NHWC). The final
    softmax is folded into the loss (cross_entropy on logits)."""
    modules = []
    shape = None  # (C, H, W) or (F,)
    for i, layer in enumerate(layers):
        kind, c = layer["className"], layer["config"]
        last = i == len(layers) - 1
        if kind == "InputLayer":
            h, w, ch = c["batch_input_shape"][1:]
            shape = (ch, h, w)
        elif kind == "Conv2D":
            if c.get("padding", "valid") != "valid" or tuple(c.get("dilation_rate", [1, 1])) != (1, 1):
                raise SystemExit(f"Conv2D with {c.get('padding')} padding is not translated")
            k, s = c["kernel_size"], c.get("strides", [1, 1])
            modules.append(torch.nn.Conv2d(shape[0], c["filters"], tuple(k), stride=tuple(s), bias=c.get("use_bias", True)))
            shape = (c["filters"], (shape[1] - k[0]) // s[0] + 1, (shape[2] - k[1]) // s[1] + 1)
        elif kind == "MaxPooling2D":
            p = c["pool_size"]
            s = c.get("strides") or p
            modules.append(torch.nn.MaxPool2d(tuple(p), stride=tuple(s)))
            shape = (shape[0], (shape[1] - p[0]) // s[0] + 1, (shape[2] - p[1]) // s[1] + 1)
        elif kind == "Flatten":
            modules.append(torch.nn.Flatten())
            shape = (int(np.prod(shape)),)
        elif kind == "Dense":
            modules.append(torch.nn.Linear(shape[0], c["units"], bias=c.get("use_bias", True)))
            shape = (c["units"],)
        else:
            raise SystemExit(f"layer {kind} is not translated")
        activation = c.get("activation")
        if kind in ("Conv2D", "Dense") and activation not in ACTIVATIONS:
            raise SystemExit(f"activation {activation} is not translated")
        if kind in ("Conv2D", "Dense") and ACTIVATIONS[activation] is not None:
            modules.append(ACTIVATIONS[activation]())
        if activation == "softmax" and not last:
            raise SystemExit("softmax is only translated on the last layer")
    return torch.nn.Sequential(*modules)


def fit(req):
    if req.get("threads"):
        torch.set_num_threads(req["threads"])
    x, y = mnist(req["data"], req["samples"])
    model = build(req["layers"])
    optimizer = torch.optim.Adam(model.parameters(), lr=req["learningRate"])
    batch = req["batchSize"]
    epoch_ms = []
    for _ in range(req["epochs"]):
        start = time.perf_counter()
        order = torch.randperm(len(y))
        for i in range(0, len(y), batch):
            idx = order[i : i + batch]
            optimizer.zero_grad(set_to_none=True)
            loss = F.cross_entropy(model(x[idx]), y[idx])
            loss.backward()
            optimizer.step()
        epoch_ms.append((time.perf_counter() - start) * 1000)
    return {"epochMs": epoch_ms, "samples": len(y), "threads": torch.get_num_threads(), "torch": torch.__version__}


def best_gflops(fn, n, repeats, warmup=True):
    if warmup:
        fn()
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return 2 * n**3 / best / 1e9


ONEDNN = "oneDNN (torch mkldnn linear)"


def sgemm(req):
    """The BLAS paths are timed once without a warm-up: a reference BLAS takes seconds per
    product, and has nothing to warm up."""
    n, repeats, paths = req["n"], req["repeats"], req.get("paths")
    a, b = torch.randn(n, n), torch.randn(n, n)
    an, bn = a.numpy(), b.numpy()
    wanted = lambda name: paths is None or name in paths
    out = {}
    if wanted("torch.mm (BLAS)"):
        out["torch.mm (BLAS)"] = best_gflops(lambda: torch.mm(a, b), n, 1, warmup=False)
    if wanted("numpy (BLAS)"):
        out["numpy (BLAS)"] = best_gflops(lambda: an @ bn, n, 1, warmup=False)
    if wanted(ONEDNN) and torch.backends.mkldnn.is_available():
        am, bm = a.to_mkldnn(), b.t().contiguous().to_mkldnn()
        out[ONEDNN] = best_gflops(lambda: torch._C._nn.mkldnn_linear(am, bm, None), n, repeats)
    blas = "unknown"
    try:
        blas = os.path.realpath("/usr/lib/x86_64-linux-gnu/libblas.so.3")
    except OSError:
        pass
    return {"gflops": out, "threads": torch.get_num_threads(), "torch": torch.__version__, "numpy": np.__version__, "blas": blas}


if __name__ == "__main__":
    request = json.loads(sys.argv[1])
    result = fit(request) if request["op"] == "fit" else sgemm(request)
    print(json.dumps(result))
